import json
# Third round (40-60 epochs, cosine): how far the recipe goes with longer training and bigger encoders.
B = dict(pool='flat', smin=0.8, temp=0.2, fc=256, cosine=True, epochs=40, monitor=5)
cs = [dict(B, widths=[64, 128, 256], convs=2), dict(B, batch=1024, lr=2e-3, warmup=2, epochs=60),
      dict(B, blur=0, noise=0, erase=0), dict(B, temp=0.1), dict(B, opt='adamw', wd=1e-4),
      dict(B, widths=[64, 128, 256], fc=512), dict(B, smin=0.5), dict(B, jitter=0)]
for i, c in enumerate(cs): open(f'w{i}.args', 'w').write(json.dumps(c) + '\n')
