"""check_pytorch.py - checks of a module written by `netlang --format pytorch`.

    check_pytorch.py listing MODULE.py D2L.txt PARAMS
        the module imports, has PARAMS parameters, and D2L's listing loop
        over it prints D2L.txt (netlang's --format d2l) line for line
    check_pytorch.py logits MODULE.py WEIGHTS LOGITS DATA [TOLERANCE]
        load_netlang(WEIGHTS) and the net in evaluation mode give netlang's
        LOGITS (from --logits) for the same test images of DATA
    check_pytorch.py refuse MODULE.py WEIGHTS WORDS
        load_netlang(WEIGHTS) raises ValueError mentioning WORDS
"""
import importlib.util
import io
import sys
import contextlib

import numpy as np
import torch


def load_module(path):
    spec = importlib.util.spec_from_file_location('netlang_module', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def listing(path, d2l, params):
    m = load_module(path)
    count = sum(p.numel() for p in m.net.parameters())
    if count != int(params):
        sys.exit(f'{path}: {count} parameters, netlang counts {params}')
    out = io.StringIO()
    X = torch.rand(1, *m.INPUT_SHAPE)
    m.net.eval()
    with torch.no_grad(), contextlib.redirect_stdout(out):
        for layer in m.net:  # D2L's loop
            X = layer(X)
            print(layer.__class__.__name__, 'output shape:\t', X.shape)
    want = open(d2l).read()
    if out.getvalue() != want:
        got, exp = out.getvalue().splitlines(), want.splitlines()
        for i, (a, b) in enumerate(zip(got + [''] * len(exp), exp + [''] * len(got))):
            if a != b:
                sys.exit(f'{path}: listing line {i + 1} is {a!r}, netlang says {b!r}')
    print(f'{path}: {count} parameters, {len(want.splitlines())} listing lines as netlang')


def logits(path, weights, logits_file, data, tolerance='1e-4'):
    m = load_module(path)
    m.load_netlang(weights, m.net)
    ref = np.loadtxt(logits_file, ndmin=2)
    images = m.read_idx(m.find_data(data)[2])
    labels = m.read_idx(m.find_data(data)[3])
    index = ref[:, 0].astype(np.int64)
    if (labels[index].numpy() != ref[:, 1]).any():
        sys.exit(f'{logits_file}: labels differ from the data set\'s')
    m.net.eval()
    with torch.no_grad():
        Y = m.net(m.fit(images[index].unsqueeze(1))).double().numpy()
    want = ref[:, 2:]
    if isinstance(list(m.net.modules())[-1], torch.nn.Softmax):
        # netlang's logits are what its final softmax reads
        want = torch.softmax(torch.from_numpy(want), dim=1).numpy()
    err = np.abs(Y - want).max() / max(1.0, np.abs(want).max())
    print(f'{path}: {len(ref)} images, logits within {err:.2e} of netlang\'s (scale {np.abs(want).max():.3g})')
    if not err <= float(tolerance):
        sys.exit(f'{path}: logits differ from netlang\'s by {err:.3g} (tolerance {tolerance})')


def refuse(path, weights, words):
    m = load_module(path)
    try:
        m.load_netlang(weights, m.net)
    except ValueError as e:
        if words not in str(e):
            sys.exit(f'{weights}: refused with "{e}", which lacks "{words}"')
        print(f'{weights}: refused: {e}')
        return
    sys.exit(f'{weights}: loaded; it should have been refused')


if __name__ == '__main__':
    {'listing': listing, 'logits': logits, 'refuse': refuse}[sys.argv[1]](*sys.argv[2:])
