# tests/repl/local.mk
