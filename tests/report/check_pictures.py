"""check_pictures.py KIND FILE [ARGS] - the pictures a run writes.

  predict SVG OUT N   N predictions, each with a true and a predicted label
                      and its test image (a PNG decoded here: 84x84 grey),
                      the wrong ones marked, as many as OUT's text says
  confusion SVG OUT   a CLASSES x CLASSES grid of counts equal to the text
                      matrix in OUT, each row shaded by its share
  filters-png PNG N K a PNG decoded here holding N kernels of KxK in a grid
  filters-svg SVG N K N images of K*scale pixels a side
  curves SVG EPOCHS   train points within epochs (x increasing, more than
                      one an epoch), test points at whole epochs, on one
                      scale, the axis running 0..EPOCHS
"""
import base64
import re
import struct
import sys
import xml.dom.minidom
import zlib


def fail(msg):
    print("check_pictures: %s: %s" % (sys.argv[2], msg))
    sys.exit(1)


def png_decode(data):
    """(width, height, channels, rows) of an 8-bit PNG without filters."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        if zlib.crc32(kind + body) != crc:
            fail("chunk %r has a bad CRC" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, color = ihdr[:4]
    ch = {0: 1, 2: 3}[color]
    raw = zlib.decompress(idat)
    if depth != 8 or len(raw) != h * (w * ch + 1):
        fail("PNG of %dx%d holds %d bytes" % (w, h, len(raw)))
    return w, h, ch, [raw[r * (w * ch + 1) + 1:(r + 1) * (w * ch + 1)] for r in range(h)]


def embedded(img):
    href = img.getAttribute("xlink:href")
    prefix = "data:image/png;base64,"
    if not href.startswith(prefix):
        fail("an image is not an embedded PNG")
    return png_decode(base64.b64decode(href[len(prefix):]))


def text(el):
    return "".join(n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE)


def predict(svg, out, n):
    doc = xml.dom.minidom.parse(svg)
    cells = [g for g in doc.getElementsByTagName("g")
             if "prediction" in g.getAttribute("class").split()]
    if len(cells) != n:
        fail("%d predictions drawn, %d asked for" % (len(cells), n))
    lines = [l for l in open(out) if re.match(r"^ *\d+  true ", l)]
    if len(lines) != n:
        fail("%d prediction lines printed" % len(lines))
    wrong = 0
    for g, line in zip(cells, lines):
        t, p = int(g.getAttribute("data-true")), int(g.getAttribute("data-pred"))
        bad = "wrong" in g.getAttribute("class").split()
        if bad != (t != p) or bad != line.rstrip().endswith("(wrong)"):
            fail("prediction %s marked wrongly" % g.getAttribute("data-index"))
        wrong += bad
        labels = [text(x) for x in g.getElementsByTagName("text")]
        if len(labels) != 2 or not all(labels):
            fail("a prediction without its two labels: %r" % labels)
        if bad and not g.getElementsByTagName("rect"):
            fail("a wrong prediction is not framed")
        w, h, ch, rows = embedded(g.getElementsByTagName("image")[0])
        if (w, h, ch) != (84, 84, 1):
            fail("an image of %dx%dx%d, not 28x28 drawn three times" % (w, h, ch))
    said = int(re.search(r": (\d+) wrong", open(out).read()).group(1))
    if said != wrong:
        fail("%d wrong drawn, %d said" % (wrong, said))
    print("check_pictures: %d predictions, %d wrong" % (n, wrong))


def confusion(svg, out):
    doc = xml.dom.minidom.parse(svg)
    grid = {}
    for g in doc.getElementsByTagName("g"):
        if g.getAttribute("class") == "cell":
            grid[(int(g.getAttribute("data-true")), int(g.getAttribute("data-pred")))] = \
                int(text(g.getElementsByTagName("text")[0]))
    k = int(round(len(grid) ** 0.5))
    if k * k != len(grid) or k < 2:
        fail("%d cells do not make a square" % len(grid))
    rows = [l.split() for l in open(out) if re.match(r"^ ?\d+  \S", l)]
    if len(rows) != k:
        fail("%d text rows for %d classes" % (len(rows), k))
    for t, r in enumerate(rows):
        counts = [int(x) for x in r[-k:]]
        if counts != [grid[(t, p)] for p in range(k)]:
            fail("row %d differs between text and picture" % t)
    total = sum(grid.values())
    right = sum(grid[(i, i)] for i in range(k))
    m = re.search(r"on (\d+) test images .*; (\d+) right\)", open(out).read())
    if not m or (int(m.group(1)), int(m.group(2))) != (total, right):
        fail("the counts add up to %d, %d right, not what the text says" % (total, right))
    print("check_pictures: %dx%d confusion matrix, %d of %d right" % (k, k, right, total))


def filters_png(path, n, k):
    w, h, ch, rows = png_decode(open(path, "rb").read())
    cols = 1
    while cols * cols < n:
        cols += 1
    nrows = (n + cols - 1) // cols
    scale = max(1, 60 // k)
    if (w, h) != (cols * (k * scale + 3) + 3, nrows * (k * scale + 3) + 3):
        fail("a %dx%d grid for %d kernels of %dx%d" % (w, h, n, k, k))
    # each kernel spans black to white: it was stretched on its own
    for i in range(n):
        x0, y0 = 3 + (i % cols) * (k * scale + 3), 3 + (i // cols) * (k * scale + 3)
        px = [rows[y][x * ch] for y in range(y0, y0 + k * scale) for x in range(x0, x0 + k * scale)]
        if min(px) != 0 or max(px) != 255:
            fail("kernel %d spans %d..%d, not 0..255" % (i, min(px), max(px)))
    print("check_pictures: %d kernels of %dx%d in a %dx%d PNG" % (n, k, k, w, h))


def filters_svg(path, n, k):
    doc = xml.dom.minidom.parse(path)
    imgs = doc.getElementsByTagName("image")
    if len(imgs) != n:
        fail("%d images for %d kernels" % (len(imgs), n))
    for img in imgs:
        w, h, ch, rows = embedded(img)
        if w != h or w % k:
            fail("a kernel image of %dx%d" % (w, h))
    print("check_pictures: %d kernel images" % n)


def curves(path, epochs):
    doc = xml.dom.minidom.parse(path)
    lines = {p.getAttribute("class"): [tuple(map(float, q.split(","))) for q in
                                      p.getAttribute("points").split()]
             for p in doc.getElementsByTagName("polyline")}
    loss, test = lines.get("train-loss", []), lines.get("test-acc", [])
    if len(loss) <= epochs:
        fail("%d train points for %d epochs: not within epochs" % (len(loss), epochs))
    if [x for x, _ in loss] != sorted(set(x for x, _ in loss)):
        fail("train points are not in increasing x")
    if len(test) != epochs:
        fail("%d test points for %d epochs" % (len(test), epochs))
    ticks = [text(t) for t in doc.getElementsByTagName("text") if t.getAttribute("class") == "xtick"]
    if ticks[0] != "0" or float(ticks[-1]) != epochs:
        fail("the epoch axis runs %s..%s" % (ticks[0], ticks[-1]))
    # x of a test point at epoch e is where the last train point of epoch e is
    if abs(test[-1][0] - loss[-1][0]) > 0.01:
        fail("the last test point is not at the last train point's epoch")
    print("check_pictures: %d train points and %d test points over %d epochs" %
          (len(loss), len(test), epochs))


kind = sys.argv[1]
if kind == "predict":
    predict(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif kind == "confusion":
    confusion(sys.argv[2], sys.argv[3])
elif kind == "filters-png":
    filters_png(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif kind == "filters-svg":
    filters_svg(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif kind == "curves":
    curves(sys.argv[2], int(sys.argv[3]))
else:
    fail("unknown check " + kind)
