# bench/train.mk - training throughput against PyTorch (run by hand:
# /usr/bin/python3 bench/train_bench.py --device cpu|gpu; see RESULTS.md).
EXTRA_DIST += bench/train_bench.py bench/torch_train.py bench/RESULTS.md
