"""check_draw.py SVG GRAPH DEPTH - check an architecture drawing (--draw).

GRAPH is the net as `nlcheck --graph` prints it (node and origin lines), so
what the drawing must show is worked out here from the graph itself: the
rows at DEPTH (every layer, or each block call nested DEPTH deep as one
box), the edges between them, and each box's shape.  The SVG, read with
Python's XML parser, must hold

  - one box per row, and nothing else: a box per layer or collapsed call,
    naming the nodes it shows, its first text the layer or call, a text
    equal to the row's output shape, every text fitting in its box
    (monospace at 12 px, 0.6 em a character);
  - one edge per input: for a join, as many edges in as it has inputs,
    from the boxes its branches end in; for any other box, one edge from
    each box it reads, each edge a path of horizontal and vertical
    segments from the side a box is left by to the side the next is
    entered by, through no other box;
  - one frame per expanded call with layers, around the boxes of its
    layers and inside the frame of the call around it, its label clear of
    every box and edge;
  - no two boxes overlapping, everything on the canvas.
"""
import re
import sys
import xml.dom.minidom

SVG_NS = "http://www.w3.org/2000/svg"
CHAR = 0.6  # em per character, monospace


def fail(msg):
    print("check_draw: %s: %s" % (sys.argv[1], msg))
    sys.exit(1)


def read_graph(path):
    nodes, origins = [], {}
    for line in open(path):
        w = line.split()
        if not w:
            continue
        if w[0] == "node":
            i = int(w[1])
            o, k = w.index("origin"), w.index("inputs")   # a kind may be two words
            nodes.append({"i": i, "kind": " ".join(w[2:o - 1]), "shape": w[o - 1],
                          "origin": int(w[o + 1]), "inputs": [int(x) for x in w[k + 1:]]})
        elif w[0] == "origin":
            text = line.split(" call ", 1)[1].rstrip("\n")
            origins[int(w[1])] = {"name": w[2], "parent": int(w[4]), "call": text}
    return nodes, origins


def chain(origins, o):
    """The calls around an origin, outermost first."""
    out = []
    while o >= 0:
        out.append(o)
        o = origins[o]["parent"]
    return out[::-1]


def expected_rows(nodes, origins, depth):
    rows, row_of = [], {}
    for nd in nodes:
        c = chain(origins, nd["origin"])
        call = c[depth - 1] if depth > 0 and len(c) >= depth else None
        if call is not None and rows and rows[-1]["call"] == call:
            rows[-1]["last"] = nd["i"]
        else:
            rows.append({"first": nd["i"], "last": nd["i"], "call": call})
        row_of[nd["i"]] = len(rows) - 1
    return rows, row_of


def number_list(d):
    return [float(x) for x in re.findall(r"-?[0-9.]+", d)]


class Rect:
    def __init__(self, x, y, w, h):
        self.x, self.y, self.w, self.h = x, y, w, h

    def overlaps(self, o, slack=0.0):
        return (self.x < o.x + o.w - slack and o.x < self.x + self.w - slack and
                self.y < o.y + o.h - slack and o.y < self.y + self.h - slack)

    def contains(self, o):
        return (self.x <= o.x + 1e-6 and self.y <= o.y + 1e-6 and
                o.x + o.w <= self.x + self.w + 1e-6 and o.y + o.h <= self.y + self.h + 1e-6)

    def __repr__(self):
        return "(%g,%g %gx%g)" % (self.x, self.y, self.w, self.h)


def rect_of(el):
    return Rect(*(float(el.getAttribute(a)) for a in ("x", "y", "width", "height")))


def text_of(el):
    return "".join(n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE)


def segment_hits(p, q, r):
    """Whether segment p-q (axis-aligned) runs through the inside of r."""
    inner = Rect(r.x + 1, r.y + 1, r.w - 2, r.h - 2)
    x0, x1 = sorted((p[0], q[0]))
    y0, y1 = sorted((p[1], q[1]))
    return x0 < inner.x + inner.w and inner.x < x1 + 1e-9 and \
        y0 < inner.y + inner.h and inner.y < y1 + 1e-9 and \
        not (x0 == x1 and (x0 <= inner.x or x0 >= inner.x + inner.w)) and \
        not (y0 == y1 and (y0 <= inner.y or y0 >= inner.y + inner.h))


def main():
    svg_path, graph_path, depth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nodes, origins = read_graph(graph_path)
    rows, row_of = expected_rows(nodes, origins, depth)
    try:
        doc = xml.dom.minidom.parse(svg_path)
    except Exception as e:  # any parse error is the failure we test for
        fail("not well-formed XML: %s" % e)
    root = doc.documentElement
    if root.tagName != "svg" or root.getAttribute("xmlns") != SVG_NS:
        fail("the root is not an SVG element")
    canvas = Rect(0, 0, float(root.getAttribute("width")), float(root.getAttribute("height")))
    font = 12.0

    # ---- boxes ----
    boxes = {}
    for g in doc.getElementsByTagName("g"):
        cls = g.getAttribute("class").split()
        if "box" not in cls:
            continue
        r = int(g.getAttribute("data-row"))
        if r in boxes:
            fail("row %d has two boxes" % r)
        rect = rect_of(g.getElementsByTagName("rect")[0])
        texts = [text_of(t) for t in g.getElementsByTagName("text")]
        boxes[r] = {"rect": rect, "texts": texts, "cls": cls,
                    "first": int(g.getAttribute("data-first")),
                    "last": int(g.getAttribute("data-last"))}
    if sorted(boxes) != list(range(len(rows))):
        fail("%d boxes for %d rows at depth %d (rows %s)" % (len(boxes), len(rows), depth,
                                                            sorted(boxes)))
    for r, row in enumerate(rows):
        b = boxes[r]
        if (b["first"], b["last"]) != (row["first"], row["last"]):
            fail("box %d shows nodes %d..%d, expected %d..%d" %
                 (r, b["first"], b["last"], row["first"], row["last"]))
        collapsed = row["call"] is not None
        if collapsed != ("block" in b["cls"]) and not (collapsed and "(" not in
                                                         origins[row["call"]]["call"]):
            fail("box %d: class %s for a %s" % (r, b["cls"], "call" if collapsed else "layer"))
        shape = nodes[row["last"]]["shape"]
        if shape not in b["texts"]:
            fail("box %d lacks its shape %s: %r" % (r, shape, b["texts"]))
        want = origins[row["call"]]["call"] if collapsed and "(" in origins[row["call"]]["call"] \
            else None
        if want is not None and b["texts"][0] != want:
            fail("box %d says %r, not the call %r" % (r, b["texts"][0], want))
        if not b["texts"][0]:
            fail("box %d has no text" % r)
        for t in b["texts"]:
            if len(t) * CHAR * font > b["rect"].w - 4:
                fail("box %d: %r is wider than its box (%g px)" % (r, t, b["rect"].w))
        if len(b["texts"]) * 15 > b["rect"].h:
            fail("box %d: %d lines do not fit %g px" % (r, len(b["texts"]), b["rect"].h))
        if not canvas.contains(b["rect"]):
            fail("box %d %r is off the canvas" % (r, b["rect"]))
    rects = [boxes[r]["rect"] for r in range(len(rows))]
    for a in range(len(rects)):
        for c in range(a + 1, len(rects)):
            if rects[a].overlaps(rects[c]):
                fail("boxes %d %r and %d %r overlap" % (a, rects[a], c, rects[c]))

    # ---- edges ----
    want = {}
    for r, row in enumerate(rows):
        srcs = []
        for i in range(row["first"], row["last"] + 1):
            for j in nodes[i]["inputs"]:
                if row_of[j] != r:
                    srcs.append(row_of[j])
        join = row["call"] is None and len(nodes[row["last"]]["inputs"]) > 1
        for s in (srcs if join else set(srcs)):
            want[(s, r)] = want.get((s, r), 0) + 1
    got = {}
    paths = []
    for p in doc.getElementsByTagName("path"):
        if p.getAttribute("class") != "edge":
            continue
        s, t = int(p.getAttribute("data-from")), int(p.getAttribute("data-to"))
        got[(s, t)] = got.get((s, t), 0) + 1
        v = number_list(p.getAttribute("d"))
        pts = list(zip(v[0::2], v[1::2]))
        paths.append((s, t, pts))
    if got != want:
        missing = {k: n for k, n in want.items() if got.get(k) != n}
        extra = {k: n for k, n in got.items() if want.get(k) != n}
        fail("edges differ from the graph's: expected %s, drawn %s" % (missing, extra))
    lr = None
    for s, t, pts in paths:
        if len(pts) < 2:
            fail("edge %d->%d has %d points" % (s, t, len(pts)))
        for a, b in zip(pts, pts[1:]):
            if a[0] != b[0] and a[1] != b[1]:
                fail("edge %d->%d has a slanted segment %s-%s" % (s, t, a, b))
        src, dst = boxes[s]["rect"], boxes[t]["rect"]
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        this_lr = abs(x0 - (src.x + src.w)) < 0.6 and abs(x1 - dst.x) < 0.6
        this_tb = abs(y0 - (src.y + src.h)) < 0.6 and abs(y1 - dst.y) < 0.6
        if not (this_lr or this_tb):
            fail("edge %d->%d runs %s..%s, not from box %r's far side to box %r's near side"
                 % (s, t, pts[0], pts[-1], src, dst))
        lr = this_lr if lr is None else lr
        if (this_lr and not (src.y <= y0 <= src.y + src.h and dst.y <= y1 <= dst.y + dst.h)) or \
           (this_tb and not (src.x <= x0 <= src.x + src.w and dst.x <= x1 <= dst.x + dst.w)):
            fail("edge %d->%d leaves or enters beside its box" % (s, t))
        for a, b in zip(pts, pts[1:]):
            for r, box in boxes.items():
                if r not in (s, t) and segment_hits(a, b, box["rect"]):
                    fail("edge %d->%d runs through box %d" % (s, t, r))
            for p in (a, b):
                if not (0 <= p[0] <= canvas.w and 0 <= p[1] <= canvas.h):
                    fail("edge %d->%d leaves the canvas" % (s, t))

    # ---- frames ----
    calls_with_layers = {}
    for nd in nodes:
        for o in chain(origins, nd["origin"]):
            calls_with_layers.setdefault(o, []).append(nd["i"])
    framed = {o for o, ns in calls_with_layers.items()
              if len(chain(origins, o)) < depth or depth == 0}
    framed = {o for o in framed if "(" in origins[o]["call"]}
    frames = {}
    for g in doc.getElementsByTagName("g"):
        if g.getAttribute("class") != "frame":
            continue
        o = int(g.getAttribute("data-call"))
        label = g.getElementsByTagName("text")[0]
        lx, ly = float(label.getAttribute("x")), float(label.getAttribute("y"))
        lt = text_of(label)
        if lt != origins[o]["call"]:
            fail("frame %d is labelled %r, not %r" % (o, lt, origins[o]["call"]))
        frames.setdefault(o, []).append((rect_of(g.getElementsByTagName("rect")[0]),
                                         Rect(lx, ly - 10, len(lt) * CHAR * 11, 12)))
    # a call repeated inside one line of layers is one frame per call
    if set(frames) != framed:
        fail("frames for calls %s, expected %s" % (sorted(frames), sorted(framed)))
    for o, lst in frames.items():
        if len(lst) != 1:
            fail("call %d has %d frames" % (o, len(lst)))
        rect, label = lst[0]
        if not rect.contains(label):
            fail("frame %d's label %r sticks out of it %r" % (o, label, rect))
        for r, row in enumerate(rows):
            inside = calls_with_layers[o][0] <= row["first"] and row["last"] <= calls_with_layers[o][-1]
            if inside and not rect.contains(boxes[r]["rect"]):
                fail("frame %d %r does not hold box %d %r" % (o, rect, r, boxes[r]["rect"]))
            if not inside and rect.overlaps(boxes[r]["rect"]):
                fail("frame %d %r covers box %d, not its own" % (o, rect, r))
            if boxes[r]["rect"].overlaps(label):
                fail("frame %d's label overlaps box %d" % (o, r))
        for s, t, pts in paths:
            for a, b in zip(pts, pts[1:]):
                if segment_hits(a, b, Rect(label.x - 1, label.y - 1, label.w + 2, label.h + 2)):
                    fail("edge %d->%d crosses frame %d's label" % (s, t, o))
        p = origins[o]["parent"]
        while p >= 0 and p not in frames:
            p = origins[p]["parent"]
        if p >= 0 and not frames[p][0][0].contains(rect):
            fail("frame %d is not inside frame %d" % (o, p))
        if not canvas.contains(rect):
            fail("frame %d is off the canvas" % o)
    print("check_draw: %s: %d boxes, %d edges, %d frames, %s" %
          (svg_path, len(boxes), len(paths), len(frames),
           "left to right" if lr else "top to bottom"))


main()
