# runtime/export/local.mk - PyTorch code, ONNX models and logits for other
# frameworks (export.h).
libruntime_a_SOURCES += \
	runtime/export/export.h \
	runtime/export/pytorch.c \
	runtime/export/logits.c \
	runtime/export/onnx_none.c
