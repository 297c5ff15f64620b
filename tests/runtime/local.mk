# tests/runtime/local.mk
