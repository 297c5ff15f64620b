# runtime/data/local.mk - data sets (the MNIST family, CIFAR-10, folders of
# images), weights files and atomic writes.
libruntime_a_SOURCES += \
	runtime/data/data.h \
	runtime/data/md5.h runtime/data/md5.c \
	runtime/data/atomic_file.h runtime/data/atomic_file.c \
	runtime/data/gz_source.h runtime/data/gz_source.c \
	runtime/data/imageset.h runtime/data/imageset.c \
	runtime/data/idx.h runtime/data/idx.c \
	runtime/data/tar_reader.h runtime/data/tar_reader.c \
	runtime/data/cifar.h runtime/data/cifar.c \
	runtime/data/image.h runtime/data/image.c runtime/data/image_png.c \
	runtime/data/image_jpeg.c runtime/data/image_resize.c \
	runtime/data/image_cache.h runtime/data/image_cache.c \
	runtime/data/data_folder.h runtime/data/data_folder.c \
	runtime/data/data_sets.h runtime/data/data_sets.c \
	runtime/data/data_fetch.h runtime/data/data_fetch.c \
	runtime/data/dataset.h runtime/data/dataset.c \
	runtime/data/net_data.h runtime/data/net_data.c \
	runtime/data/weights.h runtime/data/weights.c
