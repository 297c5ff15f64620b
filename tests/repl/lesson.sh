#!/bin/sh
# examples/alexnet-lesson.nls in D2L's format prints the slides' AlexNet
# listing line for line.  alexnet-slides.d2l holds the slides' lines with
# the slide markup taken off ("Conv2d output shape: `torch.Size(...)`"
# back to D2L's "Conv2d output shape:<TAB> torch.Size(...)").
. "$top_srcdir/tests/repl/common.sh"

lesson=$top_srcdir/examples/alexnet-lesson.nls
run d2l /dev/null -f "$lesson" --format d2l
status_is d2l 0
empty d2l
same "the lesson's d2l listing" "$top_srcdir/tests/repl/alexnet-slides.d2l" "$tmp/d2l.out"

# Piped in, with :format given in the script, it prints the same.
{ echo ':format d2l'; cat "$lesson"; } >"$tmp/piped.nls"
run piped "$tmp/piped.nls"
status_is piped 0
same "the lesson piped in" "$top_srcdir/tests/repl/alexnet-slides.d2l" "$tmp/piped.out"

# In the session's own format each layer is a line, ending at ten classes;
# AlexNet (1 input channel, 10 classes) has 46,764,746 parameters, the
# same as the lesson's layers add up to.
run table /dev/null -f "$lesson"
status_is table 0
[ "$(wc -l <"$tmp/table.out")" -eq 22 ] || fail "expected the input and 21 layers: $(cat "$tmp/table.out")"
tail -n 1 "$tmp/table.out" | grep -qx 'Linear output shape: \[1, 10\]    40,970 params' ||
	fail "the lesson does not end in ten classes"
sum=$(sed -n 's/.*    \([0-9,]*\) params$/\1/p' "$tmp/table.out" | tr -d , | awk '{ s += $1 } END { print s }')
[ "$sum" = 46764746 ] || fail "the lesson's layers add up to $sum parameters"
exit 0
