#!/usr/bin/env python3
"""PyTorch reference of the default `contrastive train` recipe on Fashion-MNIST, end to end.

The same recipe as `contrastive train` with its defaults, written in PyTorch: the seeded split
(exported by bench/export-split.mjs), the small CNN (conv3x3 32-64-128 without bias, BN, ReLU,
max-pool after the first two; then flatten + Linear 6272->256 without bias + BN + ReLU, or global
average pooling), the projection head Linear(D,128) + BN + ReLU + Linear(128,64), NT-Xent
(T = 0.2), Adam 1e-3 with cosine decay over the run, batch 256, and the augmentations of
src/augment/presets/simclr.ts made batched on the device (random resized crop of scale 0.8-1
and aspect ratio 3/4-4/3 with bilinear sampling, flip p 0.5, brightness/contrast 0.4 p 0.8, Gaussian
blur sigma 0.1-1 p 0.5, Gaussian noise 0.05 p 0.5, random erasing p 0.25). Evaluation as
`contrastive eval`: weighted kNN (k 200, T 0.1, cosine) and a linear probe (standardised features,
zero-initialised logistic regression, Adam 0.01, batch 1024, 30 epochs as `contrastive eval`, L2 1e-4) on the backbone's
representation of the 10,000 test images.

    node bench/export-split.mjs                # once: bench/results/fashion-mnist-split
    /usr/bin/python3 bench/simclr_torch.py [--epochs 15] [--threads 2] [--device cpu|cuda]
        [--pooling flatten|global-average] [--crop-scale 0.8] [--temperature 0.2] [--no-eval]
        [--limit N] [--data DIR] [--out FILE.jsonl]

Prints one JSON line per epoch ({"epoch", "loss", "images_per_s", "seconds"}) and a final
{"result": {...}} line with knn_top1, whitened_knn_top1 (the same kNN on the representation
whitened with the Ledoit-Wolf shrunk covariance of the training representation, as
`contrastive eval --whiten`) and linear_probe_top1 (fractions). Differences from ours
that the description does not show: the augmentations are drawn from torch's generator (other
random numbers, same distributions), jitter applies brightness then contrast (ours: random order),
and cropping samples the crop box once, clamped to the image, instead of torchvision's 10 tries.
Also: weights start from PyTorch's default initialisation (ours: Glorot uniform), Adam's epsilon
is PyTorch's 1e-8 (tfjs: 1e-7), the probe standardises with the unbiased standard deviation + 1e-6
(ours: the population one), and with --limit the kNN bank and probe use the limited training set.
"""
import argparse
import gzip
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(d):
    def rd(name):
        raw = gzip.open(f'{d}/{name}', 'rb').read() if name.endswith('.gz') else open(f'{d}/{name}', 'rb').read()
        return np.frombuffer(raw, dtype=np.uint8).copy()
    return (rd('train_x.bin.gz').reshape(-1, 1, 28, 28), rd('train_y.bin'),
            rd('test_x.bin.gz').reshape(-1, 1, 28, 28), rd('test_y.bin'))


class Backbone(nn.Module):
    def __init__(self, pooling, widths=(32, 64, 128), embedding=256):
        super().__init__()
        layers, cin = [], 1
        for i, w in enumerate(widths):
            layers += [nn.Conv2d(cin, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            if i < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
            cin = w
        self.features = nn.Sequential(*layers)
        side = 28 >> (len(widths) - 1)
        if pooling == 'flatten':
            self.pool = nn.Flatten()
            self.embed = nn.Sequential(nn.Linear(cin * side * side, embedding, bias=False), nn.BatchNorm1d(embedding), nn.ReLU(inplace=True))
            self.dim = embedding
        else:
            self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
            self.embed = nn.Identity()
            self.dim = cin

    def forward(self, x):
        return self.embed(self.pool(self.features(x)))


def augment(x, crop_min, g):
    """x: [N, 1, 28, 28] in [0, 1] on the device; the SimCLR preset for 28x28 (see module doc)."""
    n, dev = x.shape[0], x.device
    u = lambda: torch.rand(n, device=dev, generator=g)  # noqa: E731
    area = crop_min + (1 - crop_min) * u()
    ratio = torch.exp(math.log(3 / 4) + math.log(16 / 9) * u())
    w = torch.sqrt(area * ratio).clamp(max=1.0)
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx, cy = (1 - w) * (2 * u() - 1), (1 - h) * (2 * u() - 1)
    flip = torch.where(u() < 0.5, -torch.ones(n, device=dev), torch.ones(n, device=dev))
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = w * flip, cx, h, cy
    grid = F.affine_grid(theta, (n, 1, 28, 28), align_corners=False)
    x = F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=False)
    # brightness / contrast jitter, strength 0.4, p 0.8
    on = (u() < 0.8).float().view(n, 1, 1, 1)
    b, c = (1 + 0.4 * (2 * u() - 1)).view(n, 1, 1, 1), (1 + 0.4 * (2 * u() - 1)).view(n, 1, 1, 1)
    y = (x * b).clamp(0, 1)
    m = y.mean(dim=(1, 2, 3), keepdim=True)
    x = on * ((y - m) * c + m).clamp(0, 1) + (1 - on) * x
    # Gaussian blur, sigma 0.1-1, p 0.5 (separable, 7 taps, edge replicated)
    sigma, taps = 0.1 + 0.9 * u(), torch.arange(-3, 4, device=dev).float()
    k = torch.exp(-taps[None] ** 2 / (2 * sigma[:, None] ** 2))
    k = k / k.sum(1, keepdim=True)
    on = (u() < 0.5).float()[:, None]
    delta = (taps == 0).float()[None]
    k = on * k + (1 - on) * delta
    x = F.conv2d(F.pad(x.view(1, n, 28, 28), (3, 3, 0, 0), mode='replicate'), k.view(n, 1, 1, 7), groups=n)
    x = F.conv2d(F.pad(x, (0, 0, 3, 3), mode='replicate'), k.view(n, 1, 7, 1), groups=n).view(n, 1, 28, 28)
    # Gaussian noise 0.05, p 0.5
    on = (u() < 0.5).float().view(n, 1, 1, 1)
    x = (x + on * 0.05 * torch.randn(x.shape, device=dev, generator=g)).clamp(0, 1)
    # random erasing, p 0.25, area 0.02-0.33, aspect 0.3-3.3, value 0
    on = u() < 0.25
    a = (0.02 + 0.31 * u()) * 784
    r = torch.exp(math.log(0.3) + math.log(11) * u())
    eh, ew = torch.sqrt(a * r).clamp(1, 28), torch.sqrt(a / r).clamp(1, 28)
    y0, x0 = u() * (28 - eh), u() * (28 - ew)
    idx = torch.arange(28, device=dev).float()
    my = (idx[None] >= y0[:, None]) & (idx[None] < (y0 + eh)[:, None])
    mx = (idx[None] >= x0[:, None]) & (idx[None] < (x0 + ew)[:, None])
    return x.masked_fill(((my[:, :, None] & mx[:, None, :]) & on[:, None, None])[:, None], 0.0)


def nt_xent(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    s = z @ z.t() / t
    s.fill_diagonal_(float('-inf'))
    n = z1.shape[0]
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(s, target)


@torch.no_grad()
def embed(backbone, x, dev):
    backbone.eval()
    out = [backbone(torch.from_numpy(x[i:i + 2048]).to(dev).float() / 255) for i in range(0, len(x), 2048)]
    backbone.train()
    return torch.cat(out)


@torch.no_grad()
def knn_top1(ftr, ytr, fte, yte, k=200, t=0.1, classes=10):
    ftr, fte = F.normalize(ftr, dim=1), F.normalize(fte, dim=1)
    correct = 0
    for i in range(0, len(fte), 1000):
        w, idx = (fte[i:i + 1000] @ ftr.t()).topk(k, dim=1)
        votes = torch.zeros(len(w), classes, device=fte.device).scatter_add_(1, ytr[idx], (w / t).exp())
        correct += (votes.argmax(1) == yte[i:i + 1000]).sum().item()
    return correct / len(fte)


@torch.no_grad()
def ledoit_wolf_whitening(ftr):
    """PCA whitening fitted on the training representation (no labels): the covariance shrunk
    towards a multiple of the identity by the Ledoit-Wolf coefficient (Ledoit & Wolf 2004, the
    formula of sklearn.covariance.ledoit_wolf_shrinkage). Returns (mean, W): whitened = (x - mean) @ W."""
    x = ftr.double()
    mean = x.mean(0)
    x = x - mean
    n, p = x.shape
    x2 = x * x
    trace = x2.sum(0) / n
    mu = trace.sum() / p
    beta_ = (x2.t() @ x2).sum()
    gram = x.t() @ x
    delta_ = (gram * gram).sum() / n ** 2
    beta = (beta_ / n - delta_) / (p * n)
    delta = (delta_ - 2 * mu * trace.sum() + p * mu ** 2) / p
    shrink = 0.0 if delta == 0 else float(min(beta, delta) / delta)
    cov = (1 - shrink) * gram / n + shrink * mu * torch.eye(p, dtype=x.dtype, device=x.device)
    e, v = torch.linalg.eigh(cov)
    return mean.float(), (v / e.clamp(min=1e-30).sqrt()).float(), shrink


def probe_top1(ftr, ytr, fte, yte, classes=10, epochs=30):
    mu, sd = ftr.mean(0), ftr.std(0) + 1e-6
    a, b = (ftr - mu) / sd, (fte - mu) / sd
    lin = nn.Linear(a.shape[1], classes).to(a.device)
    nn.init.zeros_(lin.weight)
    nn.init.zeros_(lin.bias)
    opt = torch.optim.Adam(lin.parameters(), lr=0.01)
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        perm = torch.randperm(len(a), generator=g).to(a.device)
        for i in range(0, len(a), 1024):
            j = perm[i:i + 1024]
            loss = F.cross_entropy(lin(a[j]), ytr[j]) + 1e-4 * (lin.weight ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return (lin(b).argmax(1) == yte).float().mean().item()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default='bench/results/fashion-mnist-split')
    p.add_argument('--epochs', type=int, default=15)
    p.add_argument('--batch-size', type=int, default=256)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--temperature', type=float, default=0.2)
    p.add_argument('--crop-scale', type=float, default=0.8)
    p.add_argument('--pooling', choices=['flatten', 'global-average'], default='flatten')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--limit', type=int, default=0, help='train on a seeded random subset of this many images')
    p.add_argument('--no-eval', action='store_true')
    p.add_argument('--out', default=None, help='also append every JSON line to this file')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = a.device

    def emit(obj):
        line = json.dumps(obj)
        print(line, flush=True)
        if a.out:
            with open(a.out, 'a') as f:
                f.write(line + '\n')

    xtr, ytr, xte, yte = load(a.data)
    if a.limit:
        keep = np.random.RandomState(a.seed).permutation(len(xtr))[:a.limit]
        xtr, ytr = xtr[keep], ytr[keep]
    backbone = Backbone(a.pooling).to(dev)
    head = nn.Sequential(nn.Linear(backbone.dim, 128, bias=False), nn.BatchNorm1d(128), nn.ReLU(inplace=True), nn.Linear(128, 64)).to(dev)
    params = list(backbone.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=a.lr)
    g = torch.Generator(device=dev).manual_seed(a.seed)
    X = torch.from_numpy(xtr).to(dev).float() / 255
    steps = len(X) // a.batch_size
    total = steps * a.epochs
    emit({'torch': torch.__version__, 'device': dev, 'threads': a.threads,
          'parameters': {'backbone': sum(q.numel() for q in backbone.parameters()), 'head': sum(q.numel() for q in head.parameters())}})
    step, t_train = 0, 0.0
    for epoch in range(a.epochs):
        t0 = time.time()
        perm = torch.randperm(len(X), device=dev, generator=g)
        losses = []
        for s in range(steps):
            for group in opt.param_groups:
                group['lr'] = a.lr * 0.5 * (1 + math.cos(math.pi * step / total))
            xb = X[perm[s * a.batch_size:(s + 1) * a.batch_size]]
            loss = nt_xent(head(backbone(augment(xb, a.crop_scale, g))), head(backbone(augment(xb, a.crop_scale, g))), a.temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
            step += 1
        seconds = time.time() - t0
        t_train += seconds
        emit({'epoch': epoch + 1, 'loss': torch.stack(losses).mean().item(), 'images_per_s': steps * a.batch_size / seconds, 'seconds': seconds})
    result = {'epochs': a.epochs, 'train_seconds': t_train, 'pooling': a.pooling, 'crop_scale': a.crop_scale, 'temperature': a.temperature}
    if not a.no_eval:
        ftr, fte = embed(backbone, xtr, dev), embed(backbone, xte, dev)
        Ytr = torch.from_numpy(ytr.astype(np.int64)).to(dev)
        Yte = torch.from_numpy(yte.astype(np.int64)).to(dev)
        mean, w, shrink = ledoit_wolf_whitening(ftr)
        result.update(knn_top1=knn_top1(ftr, Ytr, fte, Yte), linear_probe_top1=probe_top1(ftr, Ytr, fte, Yte), n=len(yte),
                      whitened_knn_top1=knn_top1((ftr - mean) @ w, Ytr, (fte - mean) @ w, Yte), shrinkage=shrink)
    emit({'result': result})


if __name__ == '__main__':
    sys.exit(main())
