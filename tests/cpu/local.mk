# tests/cpu/local.mk
