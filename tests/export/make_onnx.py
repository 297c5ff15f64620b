"""make_onnx.py - ONNX models for the import tests, made by PyTorch and by
ONNX's helper.

    make_onnx.py torch OUT.onnx       a small PyTorch model (conv, batch norm,
                                      a residual add, a concat, pooling,
                                      dropout, linear) exported by PyTorch;
                                      prints its parameter count
    make_onnx.py refused DIR          models netlang must refuse, one per
                                      file DIR/NAME.onnx, and DIR/NAME.want
                                      with the words the refusal must hold
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def torch_model(out):
    import torch
    from torch import nn

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            # (PyTorch folds a batch norm that follows a convolution into it)
            self.b1 = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(c),
                                    nn.Conv2d(c, c, 3, padding=1))

        def forward(self, X):
            return torch.relu(self.b1(X) + X)

    class Split(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.a = nn.Conv2d(c, 4, 1)
            self.b = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(c, 4, 1))

        def forward(self, X):
            return torch.cat((self.a(X), self.b(X)), dim=1)

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.Sigmoid(), nn.BatchNorm2d(8),
                        nn.MaxPool2d(2), Residual(8), Split(8), nn.AvgPool2d(2),
                        nn.Dropout(0.25), nn.Flatten(), nn.Linear(8 * 7 * 7, 32), nn.Tanh(),
                        nn.BatchNorm1d(32), nn.Linear(32, 10))
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), out, opset_version=13,
                      input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'N'}, 'output': {0: 'N'}})
    print(sum(p.numel() for p in net.parameters()))


def save(d, name, nodes, inits, want, out_shape=(1, 4, 8, 8)):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 1, 8, 8])],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, list(out_shape))],
        [helper.make_tensor(k, TensorProto.FLOAT, v.shape, v.flatten()) for k, v in inits.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]),
              os.path.join(d, name + '.onnx'))
    open(os.path.join(d, name + '.want'), 'w').write(want)


def refused(d):
    w = {'w': np.zeros((4, 1, 3, 3), np.float32), 'b': np.zeros(4, np.float32)}
    conv = lambda name, x, y, **kw: helper.make_node('Conv', [x, 'w', 'b'], [y], name=name,
                                                     kernel_shape=[3, 3], **kw)
    save(d, 'leaky', [conv('c1', 'input', 't', pads=[1, 1, 1, 1]),
                      helper.make_node('LeakyRelu', ['t'], ['output'], name='leaky1')],
         w, "node 'leaky1' (op LeakyRelu)")
    save(d, 'asymmetric', [conv('c1', 'input', 'output', pads=[0, 0, 2, 2])],
         w, "node 'c1' (op Conv): padding differs")
    save(d, 'dilated', [conv('c1', 'input', 'output', pads=[2, 2, 2, 2], dilations=[2, 2])],
         w, "node 'c1' (op Conv): dilated")
    # a value read by a join and by a node after it: not a nest of branches
    save(d, 'tangle', [helper.make_node('Relu', ['input'], ['a'], name='r1'),
                       helper.make_node('Sigmoid', ['input'], ['b'], name='s1'),
                       helper.make_node('Add', ['a', 'b'], ['c'], name='add1'),
                       helper.make_node('Add', ['c', 'a'], ['output'], name='add2')],
         {}, "node 'add1' (op Add)", (1, 1, 8, 8))
    save(d, 'const-add', [helper.make_node('Add', ['input', 'b'], ['output'], name='bias')],
         {'b': np.zeros(1, np.float32)}, "node 'bias' (op Add)", (1, 1, 8, 8))
    save(d, 'dangling', [helper.make_node('Relu', ['input'], ['a'], name='r1'),
                         helper.make_node('Tanh', ['input'], ['output'], name='t1')],
         {}, "node 'r1' (op Relu): its output 'a' is never used", (1, 1, 8, 8))
    save(d, 'bad-shape', [conv('c1', 'input', 't'),
                          helper.make_node('Gemm', ['t', 'w2', 'b'], ['output'], name='g1',
                                           transB=1)],
         {**w, 'w2': np.zeros((4, 144), np.float32)}, "do not make a network", (1, 4))


if __name__ == '__main__':
    {'torch': torch_model, 'refused': refused}[sys.argv[1]](*sys.argv[2:])
