# bench/train.mk - training throughput against PyTorch
