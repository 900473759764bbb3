import json, itertools
cs = []
cs.append({})  # reference recipe
for pool, smin, temp in itertools.product(['gap', 'avg3', 'flat'], [0.2, 0.5, 0.8], [0.2, 0.5]):
    if (pool, smin, temp) == ('gap', 0.2, 0.5): continue
    cs.append(dict(pool=pool, smin=smin, temp=temp))
for extra in [dict(pool='avg3', fc=256), dict(pool='avg3', fc=256, smin=0.5, temp=0.2), dict(pool='max3', smin=0.5, temp=0.2),
              dict(pool='avg2', smin=0.5, temp=0.2), dict(pool='avg3', smin=0.5, temp=0.1),
              dict(pool='avg3', smin=0.5, temp=0.2, blur=0, noise=0, erase=0), dict(pool='avg3', smin=0.5, temp=0.2, erase=0),
              dict(pool='avg3', smin=0.5, temp=0.2, flip=0), dict(pool='avg3', smin=0.5, temp=0.2, jitter=0.8),
              dict(pool='avg3', smin=0.5, temp=0.2, lr=2e-3, cosine=True, warmup=1), dict(pool='avg3', smin=0.5, temp=0.2, batch=512),
              dict(pool='avg3', smin=0.5, temp=0.2, head=[512, 128]),
              dict(pool='avg3', smin=0.5, temp=0.2, widths=[64, 128, 256]), dict(pool='avg3', smin=0.5, temp=0.2, convs=2),
              dict(pool='gap', smin=0.5, temp=0.2, widths=[64, 128, 256], convs=2)]:
    cs.append(extra)
long = [dict(pool='avg3', smin=0.5, temp=0.2, epochs=60, monitor=10, cosine=True),
        dict(pool='avg3', smin=0.5, temp=0.2, epochs=60, monitor=10, widths=[64, 128, 256], convs=2, cosine=True),
        dict(epochs=60, monitor=10),
        dict(pool='flat', smin=0.5, temp=0.2, epochs=60, monitor=10, widths=[64, 128, 256], convs=2, cosine=True)]
W = 8
work = [[] for _ in range(W)]
for i, c in enumerate(long): work[i].append(c)
for i, c in enumerate(cs): work[(i + len(long)) % W].append(c)
for i, w in enumerate(work):
    open(f'w{i}.args', 'w').write('\n'.join(json.dumps(c) for c in w) + '\n')
print(len(cs), [len(w) for w in work])
