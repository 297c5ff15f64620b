# stdlib/local.mk - blocks written in netlang, found by `use NAME`.
dist_stdlib_DATA += stdlib/vgg.net stdlib/nin.net stdlib/googlenet.net \
	stdlib/resnet.net stdlib/densenet.net
