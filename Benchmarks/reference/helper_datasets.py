#!/usr/bin/env python3
"""Datasets with known label errors for the helper model's benchmarks
(`winnow-bench review-yield`, `winnow-bench helper-quality`).

    /tmp/venv-helpermodel/bin/python helper_datasets.py --out DIR [--seed 0] [--only NAME,...]

Writes one dataset folder per regime under DIR, in Winnow's dataset layout (images/,
items.csv, labels.csv, classes.txt, embeddings.npy when the regime has embeddings,
predictions/<model>.npy when it has models, winnow.toml) plus ground_truth.csv
(image, true_label, given_label, is_label_error, exclude). The regimes vary what the
helper's defaults must hold on: embedding quality (strong clusters, weak PCA of pixels,
raw pixels, none: Winnow's own image features), noise (uniform flips, fixed confusable
pairs, human-like flips of items near another class, 5-40 %), class counts (5-50), models
(none, one weak, one decent) and junk items that should be excluded.

Models are scikit-learn classifiers' out-of-fold probabilities on the noisy labels
(GaussianNB, k-nearest neighbours, random forest), as a user would bring them.
"""
import argparse
import json
import pathlib
import struct
import zlib

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors


def png_gray(pixels):
    """A minimal 8-bit greyscale PNG (no third-party imaging library needed)."""
    h, w = pixels.shape
    raw = b"".join(b"\x00" + bytes(row) for row in pixels.astype(np.uint8))
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def blobs(rng, n, k, d, separation, spread=1.0):
    centres = rng.normal(size=(k, d)) * separation
    # Uneven class sizes (a Dirichlet prior), anisotropic noise shared by all classes.
    prior = rng.dirichlet(np.full(k, 5.0))
    truth = rng.choice(k, size=n, p=prior)
    scales = rng.uniform(0.5, 1.5, size=d) * spread
    x = centres[truth] + rng.normal(size=(n, d)) * scales
    return x.astype(np.float32), truth


def flip(rng, x, truth, k, rate, kind):
    """Noisy labels: `uniform` (any other class), `pairs` (a fixed confusable partner per
    class: the nearest class centre), `human` (items closest to another class are the ones
    mislabelled, as that class)."""
    n = len(truth)
    given = truth.copy()
    centres = np.stack([x[truth == c].mean(0) for c in range(k)])
    if kind == "uniform":
        chosen = rng.random(n) < rate
        other = (truth + rng.integers(1, k, n)) % k
        given[chosen] = other[chosen]
    elif kind == "pairs":
        dist = ((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        np.fill_diagonal(dist, np.inf)
        partner = dist.argmin(1)
        chosen = rng.random(n) < rate
        given[chosen] = partner[truth[chosen]]
    elif kind == "human":
        d2 = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        own = d2[np.arange(n), truth]
        d2[np.arange(n), truth] = np.inf
        nearest_other = d2.argmin(1)
        margin = d2[np.arange(n), nearest_other] - own  # small: looks like another class
        # Flip probability falls with the margin; scaled so the expected rate is `rate`.
        weight = np.exp(-margin / np.median(np.abs(margin)))
        p = np.clip(weight * rate / weight.mean(), 0, 0.9)
        chosen = rng.random(n) < p
        given[chosen] = nearest_other[chosen]
    else:
        raise ValueError(kind)
    return given


def oof_model(kind, x, labels, k, seed):
    model = {
        "naive-bayes": GaussianNB(),
        "knn": KNeighborsClassifier(n_neighbors=15),
        "forest": RandomForestClassifier(n_estimators=60, max_depth=12, random_state=seed, n_jobs=1),
    }[kind]
    p = cross_val_predict(model, x, labels, cv=StratifiedKFold(5, shuffle=True, random_state=seed), method="predict_proba")
    full = np.zeros((len(labels), k), dtype=np.float64)
    full[:, np.unique(labels)] = p
    full = np.clip(full, 1e-6, None)
    return (full / full.sum(1, keepdims=True)).astype(np.float32)


def write(root, name, classes, given, truth, exclude, embeddings=None, models=(), images=None):
    folder = root / name
    (folder / "images").mkdir(parents=True, exist_ok=True)
    n = len(given)
    paths = [f"c{truth[i] % 10}/img_{i:05d}.png" for i in range(n)]
    if images is None:
        # One tiny image, linked: these datasets' evidence is in the embeddings.
        seed_png = folder / "images" / ".seed.png"
        seed_png.write_bytes(png_gray(np.full((8, 8), 128, dtype=np.uint8)))
        for p in paths:
            target = folder / "images" / p
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.hardlink_to(seed_png)
        (folder / "winnow.toml").write_text("[analysis]\nexact_duplicates = false\n")
    else:
        for p, pixels in zip(paths, images):
            target = folder / "images" / p
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png_gray(pixels))
    (folder / "classes.txt").write_text("\n".join(classes) + "\n")
    (folder / "items.csv").write_text("image\n" + "".join(p + "\n" for p in paths))
    (folder / "labels.csv").write_text("image,label\n" + "".join(f"{p},{classes[g]}\n" for p, g in zip(paths, given)))
    rows = ["image,true_label,given_label,is_label_error,exclude"]
    for i, p in enumerate(paths):
        rows.append(f"{p},{classes[truth[i]]},{classes[given[i]]},{int(given[i] != truth[i] and not exclude[i])},{int(exclude[i])}")
    (folder / "ground_truth.csv").write_text("\n".join(rows) + "\n")
    if embeddings is not None:
        np.save(folder / "embeddings.npy", embeddings.astype(np.float32))
    if models:
        (folder / "predictions").mkdir(exist_ok=True)
        for model_name, p in models:
            np.save(folder / "predictions" / f"{model_name}.npy", p)
    errors = int(((given != truth) & ~exclude).sum())
    print(json.dumps({"name": name, "items": n, "classes": len(classes), "errors": errors, "exclude": int(exclude.sum()),
                      "embeddings": None if embeddings is None else embeddings.shape[1], "models": [m for m, _ in models]}))


def digits_images(x):
    # 8×8 digits at 16 grey levels, shown 4× larger (nearest neighbour).
    pixels = (x.reshape(-1, 8, 8) * (255 / 16)).astype(np.uint8)
    return [np.kron(p, np.ones((4, 4), dtype=np.uint8)) for p in pixels]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    root = pathlib.Path(args.out)
    only = set(filter(None, args.only.split(",")))
    seed = args.seed

    def wanted(name):
        return not only or name in only

    digits = load_digits()
    dx, dy = digits.data.astype(np.float32), digits.target
    digit_names = [f"digit_{c}" for c in range(10)]

    if wanted("digits-pca16-uniform20"):
        rng = np.random.default_rng(seed + 1)
        given = flip(rng, dx, dy, 10, 0.20, "uniform")
        emb = PCA(16, random_state=seed).fit_transform(dx)
        write(root, "digits-pca16-uniform20", digit_names, given, dy, np.zeros(len(dy), bool), embeddings=emb, images=digits_images(dx))
    if wanted("digits-pixels-human15-nb"):
        rng = np.random.default_rng(seed + 2)
        given = flip(rng, dx, dy, 10, 0.15, "human")
        write(root, "digits-pixels-human15-nb", digit_names, given, dy, np.zeros(len(dy), bool), embeddings=dx,
              models=[("naive-bayes", oof_model("naive-bayes", dx, given, 10, seed))], images=digits_images(dx))
    if wanted("digits-images-only-pairs15"):
        rng = np.random.default_rng(seed + 3)
        given = flip(rng, dx, dy, 10, 0.15, "pairs")
        write(root, "digits-images-only-pairs15", digit_names, given, dy, np.zeros(len(dy), bool), images=digits_images(dx))
    if wanted("blobs10-strong-uniform10"):
        rng = np.random.default_rng(seed + 4)
        x, truth = blobs(rng, 5000, 10, 64, separation=0.6)
        given = flip(rng, x, truth, 10, 0.10, "uniform")
        write(root, "blobs10-strong-uniform10", [f"class_{c:02d}" for c in range(10)], given, truth, np.zeros(len(truth), bool), embeddings=x)
    if wanted("blobs20-weak-human25-knn"):
        rng = np.random.default_rng(seed + 5)
        x, truth = blobs(rng, 6000, 20, 48, separation=0.35)
        given = flip(rng, x, truth, 20, 0.25, "human")
        write(root, "blobs20-weak-human25-knn", [f"class_{c:02d}" for c in range(20)], given, truth, np.zeros(len(truth), bool), embeddings=x,
              models=[("knn", oof_model("knn", x, given, 20, seed))])
    if wanted("blobs5-pairs30-junk-forest"):
        rng = np.random.default_rng(seed + 6)
        x, truth = blobs(rng, 3000, 5, 32, separation=0.5)
        given = flip(rng, x, truth, 5, 0.30, "pairs")
        # 2 % junk: items from no class (far off), labelled at random; they should be excluded.
        junk = rng.random(len(truth)) < 0.02
        x[junk] = rng.normal(size=(junk.sum(), 32)) * 4
        given[junk] = rng.integers(0, 5, junk.sum())
        write(root, "blobs5-pairs30-junk-forest", [f"class_{c}" for c in range(5)], given, truth, junk, embeddings=x,
              models=[("forest", oof_model("forest", x, given, 5, seed))])
    if wanted("blobs50-uniform15"):
        rng = np.random.default_rng(seed + 7)
        x, truth = blobs(rng, 8000, 50, 64, separation=0.55)
        given = flip(rng, x, truth, 50, 0.15, "uniform")
        write(root, "blobs50-uniform15", [f"class_{c:02d}" for c in range(50)], given, truth, np.zeros(len(truth), bool), embeddings=x)
    if wanted("blobs8-human40"):
        rng = np.random.default_rng(seed + 8)
        x, truth = blobs(rng, 4000, 8, 24, separation=0.7)
        given = flip(rng, x, truth, 8, 0.40, "human")
        write(root, "blobs8-human40", [f"class_{c}" for c in range(8)], given, truth, np.zeros(len(truth), bool), embeddings=x)


if __name__ == "__main__":
    main()
