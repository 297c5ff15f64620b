# tests/export/local.mk - PyTorch code, ONNX export and import, logits.
TESTS += tests/export/pytorch.sh tests/export/onnx.sh tests/export/import.sh
EXTRA_DIST += tests/export/common.sh tests/export/check_pytorch.py tests/export/pytorch.sh \
	tests/export/check_onnx.py tests/export/onnx.sh tests/export/make_onnx.py \
	tests/export/import.sh tests/export/kinds.net tests/fuzz/fuzz_onnx.c
