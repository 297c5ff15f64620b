#!/usr/bin/python3
"""gen_expected.py - expected listings and parameter totals for the D2L
chapter 7.3-7.7 networks, computed by PyTorch from the networks as D2L
writes them (not from netlang).  Run once, by hand, when a network changes:

    /usr/bin/python3 tests/lang/gen_expected.py tests/lang/golden

The test suite reads the files it writes and never needs torch.

Listing rule (D2L's): for each top-level module, print its class name and
output shape.  D2L's DenseBlock is a class of its own, so the book prints
"DenseBlock output shape:", as netlang does for a block that joins branches
itself.
"""
import os
import sys

import torch
from torch import nn
from torch.nn import functional as F


def nin_block(in_c, out_c, k, s, p):
    return nn.Sequential(
        nn.Conv2d(in_c, out_c, k, s, p), nn.ReLU(),
        nn.Conv2d(out_c, out_c, 1), nn.ReLU(),
        nn.Conv2d(out_c, out_c, 1), nn.ReLU())


def nin():
    return nn.Sequential(
        nin_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, 10, 3, 1, 1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()), 224


class Inception(nn.Module):
    def __init__(self, in_c, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_c, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_c, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_c, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def googlenet():
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10)), 96


def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10)), 28


class Residual(nn.Module):
    def __init__(self, in_c, c, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, c, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(c, c, kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(in_c, c, kernel_size=1, stride=strides)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(c)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.conv3:
            x = self.conv3(x)
        return F.relu(y + x)


def resnet_block(in_c, c, n, first_block=False):
    blk = []
    for i in range(n):
        if i == 0 and not first_block:
            blk.append(Residual(in_c, c, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(c, c))
    return blk


def stem():
    return nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                         nn.BatchNorm2d(64), nn.ReLU(),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet18():
    return nn.Sequential(
        stem(),
        nn.Sequential(*resnet_block(64, 64, 2, first_block=True)),
        nn.Sequential(*resnet_block(64, 128, 2)),
        nn.Sequential(*resnet_block(128, 256, 2)),
        nn.Sequential(*resnet_block(256, 512, 2)),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10)), 96


def conv_block(in_c, c):
    return nn.Sequential(nn.BatchNorm2d(in_c), nn.ReLU(),
                         nn.Conv2d(in_c, c, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, n, in_c, c):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(c * i + in_c, c) for i in range(n)])

    def forward(self, x):
        for blk in self.net:
            x = torch.cat((x, blk(x)), dim=1)
        return x


def transition_block(in_c, c):
    return nn.Sequential(nn.BatchNorm2d(in_c), nn.ReLU(),
                         nn.Conv2d(in_c, c, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))


def densenet():
    c, growth = 64, 32
    blks = []
    convs = [4, 4, 4, 4]
    for i, n in enumerate(convs):
        blks.append(DenseBlock(n, c, growth))
        c += n * growth
        if i != len(convs) - 1:
            blks.append(transition_block(c, c // 2))
            c = c // 2
    return nn.Sequential(stem(), *blks, nn.BatchNorm2d(c), nn.ReLU(),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(c, 10)), 96


def listing(net, side):
    net.eval()  # BatchNorm1d accepts a batch of one only in eval mode
    x = torch.rand(1, 1, side, side)
    lines = []
    with torch.no_grad():
        for layer in net:
            x = layer(x)
            name = type(layer).__name__
            lines.append(f"{name} output shape:\t {x.shape}")
    return "\n".join(lines) + "\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__) + "/golden"
    for name, make in [("nin", nin), ("googlenet", googlenet),
                       ("lenet-bn", lenet_bn), ("resnet18", resnet18),
                       ("densenet", densenet)]:
        net, side = make()
        with open(f"{out}/{name}.d2l", "w") as f:
            f.write(listing(net, side))
        with open(f"{out}/{name}.params", "w") as f:
            f.write(f"{sum(p.numel() for p in net.parameters())}\n")


if __name__ == "__main__":
    main()
