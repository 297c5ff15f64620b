"""check_svg.py SVG VALUES [TITLE] - check a training plot written by netlang.

VALUES holds three lines (train loss, train acc, test acc), one number per
epoch, "nan" for a point not measured.  The SVG must be well-formed XML
with exactly three polylines, in that order, each holding one point per
measured epoch; across all of them, x must be one linear function of the
epoch and y one decreasing linear function of the value (so the curves
are drawn to one scale, up being larger), every point inside the canvas,
the loss line solid and the accuracy lines dashed differently, the legend
naming all three, and the y axis reaching max(1, max loss).
"""
import math
import sys
import xml.dom.minidom


def fail(msg):
    print("check_svg: " + msg)
    sys.exit(1)


def fit(pairs):
    """Least-squares line through (u, v) pairs and its worst residual."""
    n = len(pairs)
    mu = sum(u for u, _ in pairs) / n
    mv = sum(v for _, v in pairs) / n
    suu = sum((u - mu) ** 2 for u, _ in pairs)
    if suu == 0:
        return 0.0, mv, max(abs(v - mv) for _, v in pairs)
    a = sum((u - mu) * (v - mv) for u, v in pairs) / suu
    b = mv - a * mu
    return a, b, max(abs(a * u + b - v) for u, v in pairs)


def main():
    svg, values = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        doc = xml.dom.minidom.parse(svg)
    except Exception as e:  # any parse error is the failure we test for
        fail("%s is not well-formed XML: %s" % (svg, e))
    root = doc.documentElement
    if root.tagName != "svg" or root.getAttribute("xmlns") != "http://www.w3.org/2000/svg":
        fail("the root is not an SVG element")
    width = float(root.getAttribute("width"))
    height = float(root.getAttribute("height"))
    series = [[float(x) for x in line.split()] for line in open(values)]
    lines = doc.getElementsByTagName("polyline")
    if len(lines) != 3:
        fail("%d polylines, expected 3" % len(lines))
    names = ["train-loss", "train-acc", "test-acc"]
    xs, ys = [], []
    for line, name, vals in zip(lines, names, series):
        if line.getAttribute("class") != name:
            fail("polyline %r where %r was expected" % (line.getAttribute("class"), name))
        text = line.getAttribute("points").split()
        pts = [tuple(float(c) for c in p.split(",")) for p in text]
        measured = [(i + 1, v) for i, v in enumerate(vals) if math.isfinite(v)]
        if len(pts) != len(measured):
            fail("%s: %d points for %d measured epochs" % (name, len(pts), len(measured)))
        for (epoch, v), (x, y) in zip(measured, pts):
            if not (0 <= x <= width and 0 <= y <= height):
                fail("%s: point (%g, %g) off the canvas" % (name, x, y))
            xs.append((epoch, x))
            ys.append((v, y))
    dashes = [l.getAttribute("stroke-dasharray") for l in lines]
    if dashes[0] or not dashes[1] or not dashes[2] or dashes[1] == dashes[2]:
        fail("line styles %r: loss solid, the accuracies dashed two ways" % dashes)
    if len({e for e, _ in xs}) > 1:
        a, _, worst = fit(xs)
        if a <= 0 or worst > 0.05:
            fail("x is not one increasing linear function of the epoch (%g, %g)" % (a, worst))
    if len({v for v, _ in ys}) > 1:
        a, _, worst = fit(ys)
        if a >= 0 or worst > 0.05:
            fail("y is not one decreasing linear function of the value (%g, %g)" % (a, worst))
    texts = [t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild]
    for label in ("train loss", "train acc", "test acc", "epoch"):
        if label not in texts:
            fail("no %r label" % label)
    top = max(1.0, max(v for v in series[0] if math.isfinite(v)) if
              any(math.isfinite(v) for v in series[0]) else 1.0)
    ticks = [float(t) for t in texts if t.replace(".", "", 1).isdigit()]
    if not any(t >= top - 1e-9 for t in ticks) or 0.0 not in ticks:
        fail("the y axis does not run from 0 to at least %g: ticks %r" % (top, ticks))
    if title is not None:
        got = doc.getElementsByTagName("title")
        if not got or got[0].firstChild.data != title:
            fail("the title is not %r" % title)
    print("check_svg: %s ok" % svg)


main()
