"""Golden values for test/eval/clustering.test.ts and test/eval/kmeans.test.ts.

Run with the Debian interpreter that has scikit-learn 1.2.1 and numpy:
    /usr/bin/python3 test/eval/golden/make-clustering-golden.py
It writes test/eval/golden/clustering.json next to itself. Every value except Dunn's comes from
scikit-learn; the Dunn index (not in scikit-learn) is a literal numpy computation on the full
distance matrix below.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    calinski_harabasz_score,
    completeness_score,
    davies_bouldin_score,
    homogeneity_score,
    normalized_mutual_info_score,
    silhouette_samples,
    silhouette_score,
    v_measure_score,
)

AVERAGES = ["arithmetic", "geometric", "min", "max"]


def label_case(name, t, p):
    t, p = list(map(int, t)), list(map(int, p))
    return {
        "name": name,
        "labelsTrue": t,
        "labelsPred": p,
        "ari": adjusted_rand_score(t, p),
        "nmi": {m: normalized_mutual_info_score(t, p, average_method=m) for m in AVERAGES},
        "ami": {m: adjusted_mutual_info_score(t, p, average_method=m) for m in AVERAGES},
        "homogeneity": homogeneity_score(t, p),
        "completeness": completeness_score(t, p),
        "vMeasure": {"1": v_measure_score(t, p, beta=1.0), "2": v_measure_score(t, p, beta=2.0)},
    }


def pairwise(X, metric):
    """Literal distance matrix: differences for euclidean, normalised dot products for cosine."""
    if metric == "euclidean":
        return np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    U = np.where(norms > 0, X / np.where(norms > 0, norms, 1), 0)
    D = np.clip(1 - U @ U.T, 0, 2)
    np.fill_diagonal(D, 0)
    return D


def dunn(X, labels, metric):
    """min distance between points of different clusters / max distance within a cluster."""
    D = pairwise(X, metric)
    same = labels[:, None] == labels[None, :]
    separation = D[~same].min()
    diameter = D[same].max()
    if separation == 0:
        return 0.0
    assert diameter > 0, "a golden case with zero diameters would need Infinity in JSON"
    return float(separation / diameter)


def point_case(name, X, labels, samples=False):
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    case = {
        "name": name,
        "points": X.tolist(),
        "labels": labels.tolist(),
        "silhouette": {m: float(silhouette_score(X, labels, metric=m)) for m in ["euclidean", "cosine"]},
        "daviesBouldin": float(davies_bouldin_score(X, labels)),
        "calinskiHarabasz": float(calinski_harabasz_score(X, labels)),
        "dunn": {m: dunn(X, labels, m) for m in ["euclidean", "cosine"]},
    }
    if samples:
        case["silhouetteSamples"] = {m: silhouette_samples(X, labels, metric=m).tolist() for m in ["euclidean", "cosine"]}
    return case


def blobs(rng, n, k, dim, spread):
    centers = rng.normal(0, 4, size=(k, dim))
    truth = rng.integers(0, k, size=n)
    return centers[truth] + rng.normal(0, spread, size=(n, dim)), truth


def main():
    rng = np.random.default_rng(20240611)
    labels = []
    for i, (n, kt, kp) in enumerate([(50, 2, 3), (120, 4, 4), (200, 8, 5), (300, 6, 8), (80, 3, 2)]):
        t = rng.integers(0, kt, size=n)
        noisy = np.where(rng.random(n) < 0.3, rng.integers(0, kp, size=n), t % kp)
        labels.append(label_case(f"random-correlated-{i} n={n}", t, noisy))
        labels.append(label_case(f"random-independent-{i} n={n}", t, rng.integers(0, kp, size=n)))
    t = rng.integers(0, 5, size=60)
    labels += [
        label_case("identical", t, t),
        label_case("permuted labels", t, (t * 3 + 7) % 5 - 2),
        label_case("both constant", [4] * 10, [1] * 10),
        label_case("constant vs all singletons", [0] * 10, list(range(10))),
        label_case("all singletons vs constant", list(range(10)), [0] * 10),
        label_case("all singletons both", list(range(10)), list(range(9, -1, -1))),
        label_case("labels not from 0", [5, 5, 9, -3], [1, 1, 2, 2]),
        label_case("one item", [7], [3]),
        label_case("two items split vs joined", [0, 1], [0, 0]),
        label_case("classic 0011 vs 0101", [0, 0, 1, 1], [0, 1, 0, 1]),
        label_case("one cluster vs two", [0, 0, 0, 0, 1, 1], [2, 2, 2, 2, 2, 2]),
    ]

    points = []
    for i, (n, k, dim, spread) in enumerate([(50, 2, 2, 1.0), (120, 3, 5, 2.0), (200, 5, 16, 3.0), (300, 8, 8, 2.5), (97, 4, 3, 6.0)]):
        X, truth = blobs(rng, n, k, dim, spread)
        points.append(point_case(f"blobs-{i} n={n} k={k} dim={dim}", X, truth, samples=(i == 1)))
        points.append(point_case(f"blobs-{i} random labels", X, rng.integers(0, k, size=n) * 2 + 3))
    Xi = rng.integers(0, 4, size=(40, 2)).astype(float)  # duplicated points, exact in float64
    points.append(point_case("integer grid with duplicates", Xi + 1, rng.integers(0, 3, size=40), samples=True))
    Xs, ts = blobs(rng, 30, 3, 4, 1.0)
    ts[7] = 9  # a singleton cluster: s = 0 there
    points.append(point_case("singleton cluster", Xs, ts))
    points.append(point_case("labels not from 0", [[0, 0], [0, 1], [5, 5], [5, 6], [9, 0]], [5, 5, 9, 9, -3]))

    kmeans = []
    for name, n, k, dim, spread in [("overlapping blobs", 300, 4, 5, 3.0), ("uniform", 200, 6, 3, None)]:
        if spread is None:
            X = rng.random((n, dim))
        else:
            X, _ = blobs(rng, n, k, dim, spread)
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
        kmeans.append({"name": name, "points": X.tolist(), "k": k, "inertia": float(km.inertia_)})

    out = {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "labels": labels,
        "points": points,
        "kmeans": kmeans,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clustering.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(f"wrote {path}: {len(labels)} label cases, {len(points)} point cases, {len(kmeans)} k-means cases")


if __name__ == "__main__":
    main()
