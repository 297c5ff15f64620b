"""check_explain.py EXPLAIN TABLE - every window layer's arithmetic redone.

EXPLAIN is `netlang --explain` of a net, TABLE its `--shapes --rf` table.
For each line of a conv or pool, the formula (in + 2*p - k) / s + 1 = out
must hold with floor division, say "(floor)" exactly when the division is
inexact, and give the side the table shows; a conv's parameters must be
out*(in*kh*kw) + out; receptive fields must follow r' = r + (k-1)*j,
j' = j*s from 1 pixel at the input, be the table's, and be "the whole
input" after an fc or global pooling.
"""
import re
import sys


def fail(msg):
    print("check_explain: " + msg)
    sys.exit(1)


lines = [l.rstrip("\n") for l in open(sys.argv[1])]
table = [l.split() for l in open(sys.argv[2])]
rows = [r for r in table[1:] if r and r[0] not in ("total", "parameters:", "mult-adds:",
                                                    "training")]
if len(rows) != len(lines):
    fail("%d explained layers, %d table rows" % (len(lines), len(rows)))
formula = re.compile(r"\((\d+) \+ 2\*(\d+) - (\d+)\) / (\d+) \+ 1 = (-?\d+)( \(floor\))?")
rf, jump, whole = 1, 1, False
checked = 0
for line, row in zip(lines, rows):
    shape, table_rf = row[-4], row[-1]
    word = line.split()[0]
    found = formula.findall(line)
    if word in ("conv", "maxpool", "avgpool") and "global" not in line.split(":")[0]:
        if len(found) != 1:
            fail("one square formula expected: %r" % line)
        i, p, k, s, out, fl = found[0]
        i, p, k, s, out = int(i), int(p), int(k), int(s), int(out)
        if (i + 2 * p - k) // s + 1 != out:
            fail("wrong arithmetic: %r" % line)
        if bool(fl) != ((i + 2 * p - k) % s != 0):
            fail("(floor) misplaced: %r" % line)
        if shape.split("x")[1:] != [str(out), str(out)]:
            fail("%r gives %d, the table %s" % (line, out, shape))
        rf, jump = rf + (k - 1) * jump, jump * s
        if word == "conv":
            m = re.search(r"params (\d+)\*\((\d+)\*(\d+)\*(\d+)\) \+ (\d+) = ([\d,]+)", line)
            o, c, kh, kw, b, total = m.groups()
            if int(o) * int(c) * int(kh) * int(kw) + int(b) != int(total.replace(",", "")):
                fail("wrong parameter count: %r" % line)
            if total != row[-3]:
                fail("%r: params %s, the table %s" % (line, total, row[-3]))
        checked += 1
    elif word == "fc" or line.startswith("avgpool global"):
        whole = True
    if word == "input":
        continue
    want = "the whole input" if whole else "%dx%d" % (rf, rf)
    if not line.endswith("receptive field " + want):
        fail("receptive field %s expected: %r" % (want, line))
    if table_rf != ("all" if whole else want):
        fail("the table's receptive field %s, expected %s" % (table_rf, want))
print("check_explain: %d windows checked, receptive field %s at the end" %
      (checked, "all" if whole else "%dx%d" % (rf, rf)))
