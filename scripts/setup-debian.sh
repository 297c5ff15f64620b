#!/bin/sh
# setup-debian.sh - install what netlang needs to build, test and train on
# Debian.  Run it as root, or as a user who may use sudo: it then asks sudo
# for root itself, so that one command works on a fresh machine either way
# (a root shell on a fresh Debian has no sudo).  protobuf-c and onnx.proto
# build ONNX export and import; PyTorch and ONNX for Python let make check
# run the exports.  The CUDA toolkit with cuDNN is optional and not
# installed here: configure finds it in /usr/local/cuda when it is there.
set -e
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "setup-debian.sh: run this as root (there is no sudo here)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config flex bison \
	libreadline-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev libopenblas-dev curl \
	libopenmpi-dev openmpi-bin \
	dataset-fashion-mnist \
	clang libclang-rt-dev tmux python3 \
	protobuf-c-compiler libprotobuf-c-dev libonnx-dev \
	python3-torch python3-onnx python3-numpy >/dev/null
echo "setup-debian.sh: build dependencies and Fashion-MNIST installed"
