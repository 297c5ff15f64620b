# tests/export/local.mk - PyTorch code, ONNX export and import, logits.
TESTS += tests/export/pytorch.sh tests/export/onnx.sh
EXTRA_DIST += tests/export/common.sh tests/export/check_pytorch.py tests/export/pytorch.sh \
	tests/export/check_onnx.py tests/export/onnx.sh
