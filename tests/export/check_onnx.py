"""check_onnx.py - checks of a model written by `netlang --export`.

    check_onnx.py model MODEL.onnx TABLE
        onnx.checker passes, and ONNX's shape inference gives every node's
        output the shape netlang's table (TABLE, `netlang NET.net`) lists,
        with a symbolic batch
    check_onnx.py run MODEL.onnx LOGITS DATA [TOLERANCE]
        onnxruntime gives netlang's LOGITS (from --logits) for the same
        test images of DATA
"""
import gzip
import os
import re
import sys

import numpy as np
import onnx


def table_shapes(path):
    """Each node's output shape from netlang's table, input first."""
    shapes = []
    for line in open(path):
        # shape, parameters and FLOPs are the last three columns (a branching
        # net's table adds a row number and a from column in front)
        cols = re.split(r'\s{2,}', line.strip())
        if len(cols) >= 3 and re.fullmatch(r'\d+(x\d+x\d+)?', cols[-3]):
            shapes.append(tuple(int(v) for v in cols[-3].split('x')))
    return shapes


def dims(value):
    return [d.dim_param if d.HasField('dim_param') else d.dim_value
            for d in value.type.tensor_type.shape.dim]


def model(path, table):
    m = onnx.load(path)
    onnx.checker.check_model(m)
    inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    values = {v.name: dims(v) for v in list(inferred.graph.value_info) +
              list(inferred.graph.input) + list(inferred.graph.output)}
    shapes = table_shapes(table)
    if len(shapes) < 2:
        sys.exit(f'{table}: no shapes read')
    for i, want in enumerate(shapes):
        name = 'input' if i == 0 else 'output' if i == len(shapes) - 1 else f'n{i}'
        got = values.get(name)
        if got != ['N', *want]:
            sys.exit(f'{path}: {name} (node {i}) has shape {got}; netlang says N x {want}')
    ops = sorted({n.op_type for n in m.graph.node})
    print(f'{path}: checked; {len(shapes)} shapes as netlang\'s; opset '
          f'{m.opset_import[0].version}; {" ".join(ops)}')


def test_images(data, count, size):
    import torch
    import torch.nn.functional as F
    name = 't10k-images-idx3-ubyte'
    path = os.path.join(data, name)
    blob = gzip.open(path + '.gz').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()
    X = torch.frombuffer(bytearray(blob[16:]), dtype=torch.uint8).view(-1, 1, 28, 28)[:count]
    X = X.float() / 255
    if tuple(X.shape[-2:]) != size:  # netlang's resize: bilinear, half-pixel centres
        X = F.interpolate(X, size=size, mode='bilinear', align_corners=False)
    return X.numpy()


def run(path, logits_file, data, tolerance='1e-4'):
    import onnxruntime
    ref = np.loadtxt(logits_file, ndmin=2)
    session = onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])
    shape = session.get_inputs()[0].shape
    X = test_images(data, len(ref), tuple(shape[2:]))
    Y = session.run(None, {'input': X})[0]
    want = ref[:, 2:]
    if onnx.load(path).graph.node[-1].op_type == 'Softmax':
        # netlang's logits are what its final softmax reads
        e = np.exp(want - want.max(axis=1, keepdims=True))
        want = e / e.sum(axis=1, keepdims=True)
    err = np.abs(Y - want).max() / max(1.0, np.abs(want).max())
    print(f'{path}: onnxruntime {onnxruntime.__version__}, {len(ref)} images, logits within '
          f'{err:.2e} of netlang\'s')
    if not err <= float(tolerance):
        sys.exit(f'{path}: logits differ from netlang\'s by {err:.3g} (tolerance {tolerance})')


if __name__ == '__main__':
    {'model': model, 'run': run}[sys.argv[1]](*sys.argv[2:])
