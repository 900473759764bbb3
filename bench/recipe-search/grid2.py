import json
B = dict(pool='flat', smin=0.8, temp=0.2)
cs = [dict(B, fc=256), dict(B, smin=0.9), dict(B, temp=0.1), dict(B, erase=0), dict(B, blur=0, noise=0, erase=0),
      dict(B, jitter=0.8), dict(B, flip=0), dict(B, pool='avg3'), dict(B, pool='avg3', fc=256),
      dict(B, lr=2e-3, cosine=True, warmup=1), dict(B, batch=512), dict(B, head=[512, 128]), dict(B, widths=[32, 64, 64]),
      dict(B, pool='avg4'), dict(B, smin=0.6), dict(B, pool='gap'), dict(B, temp=0.3), dict(B, smin=1.0)]
long = [dict(B, epochs=40, monitor=5, cosine=True), dict(B, epochs=30, monitor=5, cosine=True, widths=[64, 128, 256], fc=256)]
W = 8
work = [[] for _ in range(W)]
for i, c in enumerate(long): work[i].append(c)
for i, c in enumerate(cs): work[2 + i % 6].append(c)
for i, w in enumerate(work):
    open(f'w{i}.args', 'w').write('\n'.join(json.dumps(c) for c in w) + '\n')
print(len(cs), [len(w) for w in work])
