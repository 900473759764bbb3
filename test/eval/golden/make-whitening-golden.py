"""Golden values for test/eval/whitening.test.ts.

Run with the Debian interpreter that has scikit-learn 1.2.1 and numpy:
    /usr/bin/python3 test/eval/golden/make-whitening-golden.py
It writes test/eval/golden/whitening.json next to itself: for each case the rows, sklearn's
ledoit_wolf_shrinkage, and the Gram matrix of the rows whitened by sklearn's LedoitWolf
covariance, (x - mean) C^-1 (x - mean)^T (its first 10 rows), which does not depend on the signs or the order of
the eigenvectors (so any correct whitening reproduces it).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.covariance import LedoitWolf, ledoit_wolf_shrinkage


def case(name, x):
    x = np.asarray(x, dtype=np.float64)
    lw = LedoitWolf().fit(x)
    c = x - lw.location_
    gram = c @ np.linalg.inv(lw.covariance_) @ c.T
    return {
        "name": name,
        "x": x.tolist(),
        "shrinkage": float(ledoit_wolf_shrinkage(x)),
        "mean": lw.location_.tolist(),
        "whitenedGram": gram[:10].tolist(),  # first 10 rows against every row
    }


rng = np.random.default_rng(7)
mix = rng.normal(size=(5, 5))
cases = [
    case("gaussian 40 x 5", rng.normal(size=(40, 5))),
    case("correlated 60 x 5 (mixed columns, shifted)", rng.normal(size=(60, 5)) @ mix + 3.0),
    case("more dimensions than rows 6 x 10", rng.normal(size=(6, 10))),
    case("graded scales 50 x 4", rng.normal(size=(50, 4)) * np.array([100.0, 1.0, 0.01, 1e-3])),
    case("non-negative like ReLU features 80 x 6", np.maximum(rng.normal(size=(80, 6)) @ rng.normal(size=(6, 6)), 0) + 1e-3 * rng.normal(size=(80, 6))),
]
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "whitening.json")
with open(path, "w") as f:
    json.dump(out, f)
print(path, len(cases), [round(c["shrinkage"], 6) for c in cases])
