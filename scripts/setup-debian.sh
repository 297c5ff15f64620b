#!/bin/sh
# setup-debian.sh - install what netlang needs to build, test and train on
# Debian (run as root).  The CUDA toolkit with cuDNN is optional and not
# installed here: configure finds it in /usr/local/cuda when it is there.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config flex bison \
	libreadline-dev zlib1g-dev libopenblas-dev curl \
	libopenmpi-dev openmpi-bin \
	dataset-fashion-mnist \
	clang libclang-rt-dev tmux python3 >/dev/null
echo "setup-debian.sh: build dependencies and Fashion-MNIST installed"
