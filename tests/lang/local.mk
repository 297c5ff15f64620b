# tests/lang/local.mk
