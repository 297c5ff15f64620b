# runtime/train/local.mk - training, evaluation, and the backend they run on.
libruntime_a_SOURCES += \
	runtime/train/train.h runtime/train/train.c runtime/train/device.c \
	runtime/train/checkpoint.h runtime/train/checkpoint.c \
	runtime/train/interrupt.h runtime/train/interrupt.c \
	runtime/train/dist_step.h runtime/train/dist_step.c
