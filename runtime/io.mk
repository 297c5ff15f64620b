# runtime/io.mk - data sets, weights files and plots
libruntime_a_SOURCES += \
	runtime/md5.h runtime/md5.c \
	runtime/atomic_file.h runtime/atomic_file.c \
	runtime/gz_source.h runtime/gz_source.c \
	runtime/imageset.h runtime/imageset.c \
	runtime/idx.h runtime/idx.c \
	runtime/tar_reader.h runtime/tar_reader.c \
	runtime/cifar.h runtime/cifar.c \
	runtime/image.h runtime/image.c runtime/image_png.c runtime/image_jpeg.c \
	runtime/image_resize.c \
	runtime/image_cache.h runtime/image_cache.c \
	runtime/data_folder.h runtime/data_folder.c \
	runtime/data_sets.h runtime/data_sets.c \
	runtime/data_fetch.h runtime/data_fetch.c \
	runtime/dataset.h runtime/dataset.c \
	runtime/net_data.h runtime/net_data.c \
	runtime/class_report.h runtime/class_report.c \
	runtime/weights.h runtime/weights.c \
	runtime/plot.h runtime/plot.c
