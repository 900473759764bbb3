"""SimCLR recipe search on Fashion-MNIST in PyTorch (GPU or CPU), same split as contrastive.

Usage: python3 recipe.py DATA_DIR OUT.jsonl CONFIG_JSON [CONFIG_JSON ...]
Each config: dict with keys below (defaults = the issue's reference recipe).
"""
import json, math, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# The split loader, NT-Xent, embedding, weighted kNN and linear probe are the PyTorch reference's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from simclr_torch import embed, knn_top1 as knn, load, nt_xent as ntxent, probe_top1  # noqa: E402


def probe(ftr, ytr, fte, yte):
    return probe_top1(ftr, ytr, fte, yte, epochs=100)  # the search used 100 probe epochs

DEF = dict(arch='cnn', widths=[32, 64, 128], pool='gap', fc=0, epochs=15, batch=256, lr=1e-3, opt='adam',
           wd=0.0, temp=0.5, smin=0.2, flip=0.5, jitter=0.4, pj=0.8, blur=0.5, noise=0.5, erase=0.25,
           head=[128, 64], seed=0, convs=1, warmup=0, cosine=False, probe=True)


class Backbone(nn.Module):
    def __init__(self, c):
        super().__init__()
        layers, cin = [], 1
        ws = c['widths']
        for i, w in enumerate(ws):
            for j in range(c['convs']):
                layers += [nn.Conv2d(cin, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
                cin = w
            if i < len(ws) - 1:
                layers.append(nn.MaxPool2d(2))
        self.f = nn.Sequential(*layers)
        side = 28 >> (len(ws) - 1)
        if c['pool'] == 'gap':
            self.pool = nn.AdaptiveAvgPool2d(1); d = cin
        elif c['pool'] == 'flat':  # keep spatial: flatten whole map
            self.pool = nn.Identity(); d = cin * side * side
        elif c['pool'].startswith('avg'):  # e.g. avg3: adaptive avg to 3x3
            s = int(c['pool'][3:]); self.pool = nn.AdaptiveAvgPool2d(s); d = cin * s * s
        elif c['pool'].startswith('max'):
            s = int(c['pool'][3:]); self.pool = nn.AdaptiveMaxPool2d(s); d = cin * s * s
        self.fc = None
        if c['fc']:
            self.fc = nn.Sequential(nn.Linear(d, c['fc'], bias=False), nn.BatchNorm1d(c['fc']), nn.ReLU(inplace=True)); d = c['fc']
        self.dim = d

    def forward(self, x):
        x = self.pool(self.f(x)).flatten(1)
        return self.fc(x) if self.fc is not None else x


def head(d, spec):
    layers = []
    for i, o in enumerate(spec):
        last = i == len(spec) - 1
        layers.append(nn.Linear(d, o, bias=True))
        if not last:
            layers += [nn.BatchNorm1d(o), nn.ReLU(inplace=True)] if False else [nn.ReLU(inplace=True)]
        d = o
    return nn.Sequential(*layers)


def augment(x, c, g):
    """x: [N,1,28,28] float in [0,1] on device."""
    n, dev = x.shape[0], x.device
    u = lambda *s: torch.rand(*s, device=dev, generator=g)
    area = c['smin'] + (1 - c['smin']) * u(n)
    logr = math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * u(n)
    r = torch.exp(logr)
    w = torch.sqrt(area * r).clamp(max=1.0); h = torch.sqrt(area / r).clamp(max=1.0)
    cx = (1 - w) * (2 * u(n) - 1); cy = (1 - h) * (2 * u(n) - 1)
    fl = torch.where(u(n) < c['flip'], -1.0, 1.0)
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0] = w * fl; theta[:, 0, 2] = cx; theta[:, 1, 1] = h; theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, (n, 1, 28, 28), align_corners=False)
    x = F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=False)
    if c['jitter'] > 0:
        s = c['jitter']; on = (u(n) < c['pj']).float().view(n, 1, 1, 1)
        b = 1 + s * (2 * u(n) - 1); ct = 1 + s * (2 * u(n) - 1)
        y = (x * b.view(n, 1, 1, 1)).clamp(0, 1)
        m = y.mean(dim=(1, 2, 3), keepdim=True)
        y = ((y - m) * ct.view(n, 1, 1, 1) + m).clamp(0, 1)
        x = on * y + (1 - on) * x
    if c['blur'] > 0:
        sig = 0.1 + 0.9 * u(n); k = torch.arange(-3, 4, device=dev).float()
        ker = torch.exp(-k[None] ** 2 / (2 * sig[:, None] ** 2)); ker = ker / ker.sum(1, keepdim=True)
        on = (u(n) < c['blur']).float()
        delta = torch.zeros(7, device=dev); delta[3] = 1
        ker = on[:, None] * ker + (1 - on[:, None]) * delta[None]
        xp = F.pad(x.view(1, n, 28, 28), (3, 3, 0, 0), mode='replicate')
        x = F.conv2d(xp, ker.view(n, 1, 1, 7), groups=n)
        xp = F.pad(x, (0, 0, 3, 3), mode='replicate')
        x = F.conv2d(xp, ker.view(n, 1, 7, 1), groups=n).view(n, 1, 28, 28)
    if c['noise'] > 0:
        on = (u(n) < c['noise']).float().view(n, 1, 1, 1)
        x = (x + on * 0.05 * torch.randn(x.shape, device=dev, generator=g)).clamp(0, 1)
    if c['erase'] > 0:
        on = u(n) < c['erase']
        a = (0.02 + 0.31 * u(n)) * 784; lr_ = torch.exp(math.log(0.3) + (math.log(3.3) - math.log(0.3)) * u(n))
        eh = torch.sqrt(a * lr_).clamp(1, 28); ew = torch.sqrt(a / lr_).clamp(1, 28)
        y0 = (u(n) * (28 - eh)); x0 = (u(n) * (28 - ew))
        ii = torch.arange(28, device=dev).float()
        my = (ii[None] >= y0[:, None]) & (ii[None] < y0[:, None] + eh[:, None])
        mx = (ii[None] >= x0[:, None]) & (ii[None] < x0[:, None] + ew[:, None])
        m = (my[:, :, None] & mx[:, None, :]) & on[:, None, None]
        x = x.masked_fill(m[:, None], 0.0)
    return x


def run(c, data, dev):
    c = {**DEF, **c}
    torch.manual_seed(c['seed'])
    xtr, ytr, xte, yte = data
    if c.get('limit'):
        sel = np.random.RandomState(0).permutation(len(xtr))[:c['limit']]; xtr, ytr = xtr[sel], ytr[sel]
    bb = Backbone(c).to(dev); hd = head(bb.dim, c['head']).to(dev)
    params = list(bb.parameters()) + list(hd.parameters())
    nparam = sum(p.numel() for p in params)
    if c['opt'] == 'adam':
        opt = torch.optim.Adam(params, lr=c['lr'], weight_decay=c['wd'])
    elif c['opt'] == 'adamw':
        opt = torch.optim.AdamW(params, lr=c['lr'], weight_decay=c['wd'])
    else:
        opt = torch.optim.SGD(params, lr=c['lr'], momentum=0.9, weight_decay=c['wd'])
    g = torch.Generator(device=dev).manual_seed(c['seed'])
    X = torch.from_numpy(xtr.copy()).to(dev).float() / 255
    Ytr = torch.from_numpy(ytr.astype(np.int64)).to(dev); Yte = torch.from_numpy(yte.astype(np.int64)).to(dev)
    steps = len(X) // c['batch']; total = steps * c['epochs']; step = 0
    hist = []; t0 = time.time()
    for ep in range(c['epochs']):
        perm = torch.randperm(len(X), device=dev, generator=g)
        tl = 0.0
        for s in range(steps):
            lr = c['lr']
            if c['warmup'] and step < c['warmup'] * steps:
                lr = c['lr'] * (step + 1) / (c['warmup'] * steps)
            elif c['cosine']:
                w0 = c['warmup'] * steps
                lr = c['lr'] * 0.5 * (1 + math.cos(math.pi * (step - w0) / max(1, total - w0)))
            for pg in opt.param_groups: pg['lr'] = lr
            xb = X[perm[s * c['batch']:(s + 1) * c['batch']]]
            v1, v2 = augment(xb, c, g), augment(xb, c, g)
            loss = ntxent(hd(bb(v1)), hd(bb(v2)), c['temp'])
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            tl += loss.item() if s % 50 == 0 else 0; step += 1
        if c.get('monitor') and (ep + 1) % c['monitor'] == 0:
            ftr, fte = embed(bb, xtr, dev), embed(bb, xte, dev)
            hist.append((ep + 1, round(knn(ftr, Ytr, fte, Yte), 4), round(time.time() - t0, 1)))
            with open(OUTP, 'a') as f: f.write(json.dumps(dict(progress=c, hist=hist)) + '\n')
    train_s = time.time() - t0
    ftr, fte = embed(bb, xtr, dev), embed(bb, xte, dev)
    res = dict(cfg=c, params=nparam, dim=bb.dim, knn=knn(ftr, Ytr, fte, Yte), train_s=round(train_s, 1), hist=hist, loss=loss.item())
    if c['probe']:
        res['probe'] = probe(ftr, Ytr, fte, Yte)
    return res


if __name__ == '__main__':
    global OUTP
    d, outp = sys.argv[1], sys.argv[2]; OUTP = outp
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cudnn.benchmark = True
    data = load(d)
    for cj in sys.argv[3:]:
        c = json.loads(cj)
        try:
            r = run(c, data, dev)
        except Exception as e:  # keep going
            r = dict(cfg=c, error=repr(e))
        line = json.dumps(r)
        print(line, flush=True)
        with open(outp, 'a') as f:
            f.write(line + '\n')
