# tests/repl/local.mk - sessions and teaching scripts: golden output from
# piped scripts, errors mid-script, the commands, the AlexNet lesson
# against the slides, hostile input, and a real terminal (tmux).
REPL_TESTS = tests/repl/session.sh tests/repl/errors.sh tests/repl/commands.sh tests/repl/echo.sh \
	tests/repl/lesson.sh tests/repl/hostile.sh tests/repl/pty.sh tests/repl/scale.sh
TESTS += $(REPL_TESTS)
EXTRA_DIST += $(REPL_TESTS) tests/repl/common.sh tests/repl/alexnet-slides.d2l
