# runtime/export/local.mk - PyTorch code, ONNX models and logits for other
# frameworks (export.h).
libruntime_a_SOURCES += \
	runtime/export/export.h \
	runtime/export/pytorch.c \
	runtime/export/logits.c
if HAVE_ONNX
# The C code for ONNX's messages is generated at build time from the
# onnx.proto that configure found (Debian's libonnx-dev ships it).
libruntime_a_SOURCES += runtime/export/onnx_ops.h runtime/export/onnx_ops.c \
	runtime/export/onnx.c runtime/export/onnx_import.c
nodist_libruntime_a_SOURCES = runtime/export/onnx.pb-c.c runtime/export/onnx.pb-c.h
BUILT_SOURCES += runtime/export/onnx.pb-c.h
CLEANFILES += runtime/export/onnx.pb-c.c runtime/export/onnx.pb-c.h
runtime/export/onnx.pb-c.h: runtime/export/onnx.pb-c.c
runtime/export/onnx.pb-c.c: $(ONNX_PROTO)
	$(AM_V_GEN)$(MKDIR_P) runtime/export && \
	$(PROTOC_C) --proto_path=$(dir $(ONNX_PROTO)) --c_out=runtime/export $(ONNX_PROTO)
else
libruntime_a_SOURCES += runtime/export/onnx_none.c
endif
