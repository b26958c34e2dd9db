#!/usr/bin/env python3
"""Datasets with known label errors for `winnow-bench label-issues --suite`, and cleanlab's
rankings of them, measured in the same run.

    /tmp/cleanlab-venv/bin/python label_issue_datasets.py --out DIR [--seed S] [--only NAME,...]

For every dataset of the suite, writes DIR/<name>/ in Winnow's dataset layout
(images/ as hard links to one tiny PNG, items.csv, classes.txt, labels.csv,
predictions/<model>.npy, embeddings.npy, winnow.toml, ground_truth.csv) and
DIR/<name>/cleanlab_scores.npy: an items x R float64 matrix of cleanlab's label-quality
scores (low = likely wrong), R rankings named in DIR/<name>/cleanlab_scores.txt (one per
line): each model's `self_confidence` and `normalized_margin`
(`cleanlab.rank.get_label_quality_scores`) and, with several models, cleanlab's ensemble
score (`get_label_quality_ensemble_scores`, its defaults: self-confidence, members weighted
by accuracy). Prints one JSON line naming the datasets.

How the data is made (every choice is deliberately varied across the suite):
- Features: scikit-learn's bundled handwritten digits (8x8, 10 classes) and breast-cancer
  (2 classes), or Gaussian class clusters (2-100 classes) with item-level difficulty.
- Label noise, at 5-40 %: uniform; class-conditional and asymmetric (each class flips to
  one or two confusable classes, rates differing by class); or human-like (instance-
  dependent: ambiguous items, as a model trained on the true labels sees them, are the
  ones mislabelled, into the class they are most easily confused with).
- Models: scikit-learn classifiers' out-of-fold probabilities (5-fold cross_val_predict)
  trained on the *noisy* labels, as a practitioner would get them, from features of
  different quality (all pixels, pooled pixels, a few noisy dimensions); some are badly
  calibrated by nature (naive Bayes, a single decision tree, few-neighbour kNN).
- Embeddings: PCA of the features (weak: every image of a class looks alike), the same
  with noise, or 'pretrained' ones (the hidden layer of a network trained with true
  labels on the other half of the data, as a foundation model is trained elsewhere).
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")

TINY_PNG = bytes([
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
])


# ---------------------------------------------------------------- features

def digits_features():
    from sklearn.datasets import load_digits
    d = load_digits()
    return d.data.astype(np.float64) / 16.0, d.target.astype(np.int64)


def cancer_features():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler
    d = load_breast_cancer()
    return StandardScaler().fit_transform(d.data), d.target.astype(np.int64)


def blob_features(rng, n, k, dim, separation):
    """Gaussian classes with random means, per-class anisotropic spread, and a per-item
    difficulty that pulls some items towards a confusable class (as real data has)."""
    means = rng.normal(size=(k, dim))
    means *= separation / np.sqrt(dim)
    prior = rng.dirichlet(np.full(k, 8.0))
    y = rng.choice(k, size=n, p=prior)
    confusable = np.argsort(((means[:, None, :] - means[None, :, :]) ** 2).sum(-1), axis=1)[:, 1]
    scale = rng.uniform(0.7, 1.3, size=(k, dim))
    difficulty = rng.beta(1.2, 3.0, size=n)
    x = means[y] + (means[confusable[y]] - means[y]) * difficulty[:, None] * 0.9
    x = x + rng.normal(size=(n, dim)) * scale[y]
    return x, y


# ---------------------------------------------------------------- noise

def oracle_probabilities(x, y, seed):
    """A model trained on the *true* labels, out of fold: what an item looks like."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    return cross_val_predict(LogisticRegression(max_iter=300, C=1.0), x, y, cv=5, method="predict_proba")


def add_noise(rng, y, k, kind, rate, oracle):
    n = len(y)
    given = y.copy()
    if kind == "uniform":
        flip = rng.random(n) < rate
        offset = rng.integers(1, k, size=n) if k > 2 else np.ones(n, dtype=np.int64)
        given = np.where(flip, (y + offset) % k, y)
    elif kind == "pairs":
        # Class-conditional, asymmetric: each class has its own rate (around the target) and
        # flips into its one or two most confusable classes (as the oracle confuses them).
        conf = np.zeros((k, k))
        for c in range(k):
            conf[c] = oracle[y == c].mean(axis=0) if (y == c).any() else 0
            conf[c, c] = -1
        rates = np.clip(rate * rng.uniform(0.3, 1.7, size=k), 0, 0.45)
        for c in range(k):
            members = np.where(y == c)[0]
            targets = np.argsort(-conf[c])[: (1 if k == 2 else 2)]
            share = np.array([0.75, 0.25])[: len(targets)]
            share = share / share.sum()
            flip = members[rng.random(len(members)) < rates[c]]
            given[flip] = rng.choice(targets, size=len(flip), p=share)
    elif kind == "human":
        # Instance-dependent: ambiguous items are the mislabelled ones, into the class they
        # look most like; the flip probability grows with the oracle's doubt.
        p_true = oracle[np.arange(n), y]
        doubt = (1 - p_true) + 0.02
        weight = doubt ** 1.5
        prob = np.clip(weight / weight.mean() * rate, 0, 0.95)
        for _ in range(20):  # rescale so the expected rate is the target despite clipping
            prob = np.clip(prob * rate / max(prob.mean(), 1e-9), 0, 0.95)
        flip = rng.random(n) < prob
        other = oracle.copy()
        other[np.arange(n), y] = -1
        # Mostly the most confusable class, sometimes the second.
        second = np.argsort(-other, axis=1)[:, :2]
        pick = np.where(rng.random(n) < 0.8, second[:, 0], second[:, 1] if k > 2 else second[:, 0])
        given = np.where(flip, pick, y)
    else:
        raise ValueError(kind)
    return given.astype(np.int64)


# ---------------------------------------------------------------- models

def pooled(x, side=8, factor=2):
    """Average-pools square images (flattened) by `factor`: a weaker view of the pixels."""
    n = x.shape[0]
    img = x.reshape(n, side, side)
    s = side // factor
    return img.reshape(n, s, factor, s, factor).mean(axis=(2, 4)).reshape(n, s * s)


def make_model(name, seed):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier
    return {
        "logreg": lambda: LogisticRegression(max_iter=400, C=1.0),
        "logreg-strong-reg": lambda: LogisticRegression(max_iter=400, C=0.01),
        "nb": lambda: GaussianNB(),
        "knn3": lambda: KNeighborsClassifier(n_neighbors=3),
        "knn15": lambda: KNeighborsClassifier(n_neighbors=15, weights="distance"),
        "forest": lambda: RandomForestClassifier(n_estimators=50, min_samples_leaf=2, random_state=seed, n_jobs=1),
        "extra": lambda: ExtraTreesClassifier(n_estimators=50, min_samples_leaf=2, random_state=seed, n_jobs=1),
        "tree": lambda: DecisionTreeClassifier(min_samples_leaf=3, random_state=seed),
        "svc": lambda: SVC(probability=True, C=3.0, random_state=seed),
        "mlp": lambda: MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, alpha=1e-3, random_state=seed),
        "lda": lambda: LinearDiscriminantAnalysis(),
    }[name]()


def out_of_fold(model_name, view, given, k, seed):
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    counts = np.bincount(given, minlength=k)
    folds = int(max(2, min(5, counts[counts > 0].min())))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    p = cross_val_predict(make_model(model_name, seed), view, given, cv=cv, method="predict_proba")
    full = np.zeros((len(given), k))
    present = np.unique(given)
    full[:, present] = p
    full = np.clip(full, 0, None)
    full /= full.sum(axis=1, keepdims=True)
    return full


def confidence_shuffled(rng, p, strength):
    """The same predicted class (so the same accuracy) with a confidence that tells nothing
    for a share `strength` of the items: a model that ranks far worse at equal accuracy
    (like an over-trained network's near one-hot outputs)."""
    n, k = p.shape
    top = p.argmax(axis=1)
    out = p.copy()
    chosen = rng.random(n) < strength
    conf = rng.uniform(max(0.5, 1.0 / k + 0.05), 1.0, size=n)
    rest = rng.dirichlet(np.ones(k), size=n)
    rest[np.arange(n), top] = 0
    rest /= rest.sum(axis=1, keepdims=True)
    # Rescale the rest so the top class stays the argmax.
    replaced = rest * (1 - conf)[:, None]
    replaced[np.arange(n), top] = conf
    out[chosen] = replaced[chosen]
    return out


# ---------------------------------------------------------------- embeddings

def pca(x, dim, seed):
    from sklearn.decomposition import PCA
    return PCA(n_components=min(dim, x.shape[1]), random_state=seed).fit_transform(x)


def pretrained(x, y, seed):
    """The hidden layer of a network trained on the true labels of the *other* half of the
    items (two-fold): like a foundation model's embedding, trained on other data."""
    from sklearn.neural_network import MLPClassifier
    rng = np.random.default_rng(seed)
    half = rng.random(len(y)) < 0.5
    out = np.zeros((len(y), 64))
    for train in (half, ~half):
        net = MLPClassifier(hidden_layer_sizes=(64,), max_iter=400, alpha=1e-3, random_state=seed).fit(x[train], y[train])
        out[~train] = np.maximum(x[~train] @ net.coefs_[0] + net.intercepts_[0], 0)
    return out


# ---------------------------------------------------------------- the suite

# name: (features, classes, noise kind, noise rate, models as (name, view, shuffle), embedding)
# view: "all" | "pooled" | "few" (a few noisy feature dimensions); shuffle: share of items whose
# confidence is replaced (equal accuracy, worse ranking).
SUITE = [
    ("digits-human-10-weak-emb-1model", "digits", "human", 0.10, [("logreg", "all", 0)], "pca"),
    ("digits-human-20-weak-emb-3models", "digits", "human", 0.20, [("logreg", "all", 0), ("forest", "all", 0), ("nb", "all", 0)], "pca"),
    ("digits-pairs-5-5models", "digits", "pairs", 0.05, [("logreg", "all", 0), ("forest", "all", 0), ("lda", "all", 0), ("knn3", "all", 0), ("tree", "all", 0)], "pca"),
    ("digits-pairs-30-weak-models-pca", "digits", "pairs", 0.30, [("logreg", "pooled", 0), ("nb", "pooled", 0)], "pca"),
    ("digits-uniform-40-2models", "digits", "uniform", 0.40, [("logreg", "all", 0), ("knn15", "all", 0)], "pca"),
    ("digits-human-15-equal-acc", "digits", "human", 0.15, [("logreg", "all", 0), ("logreg", "all", 0.9), ("forest", "all", 0.7)], "noisy-pca"),
    ("digits-human-8-strong-emb-weak-models", "digits", "human", 0.08, [("logreg", "pooled", 0), ("tree", "pooled", 0)], "pretrained"),
    ("digits-pairs-20-no-emb-4models", "digits", "pairs", 0.20, [("logreg", "all", 0), ("lda", "all", 0), ("forest", "all", 0.5), ("knn15", "all", 0)], None),
    ("cancer-human-10-2class", "cancer", "human", 0.10, [("logreg", "all", 0), ("forest", "all", 0)], "pca"),
    ("cancer-uniform-25-2class-1model", "cancer", "uniform", 0.25, [("nb", "all", 0)], "pca"),
    ("blobs-2class-pairs-35", ("blobs", 4000, 2, 16, 3.0), "pairs", 0.35, [("logreg", "few", 0), ("forest", "few", 0)], "noisy"),
    ("blobs-5class-human-5-strong-emb", ("blobs", 5000, 5, 24, 4.0), "human", 0.05, [("logreg", "few", 0)], "clean"),
    ("blobs-20class-human-20-weak-emb-3models", ("blobs", 5000, 20, 32, 6.0), "human", 0.20, [("logreg", "all", 0), ("lda", "all", 0), ("forest", "few", 0)], "noisy"),
    ("blobs-50class-pairs-10-2models", ("blobs", 5000, 50, 48, 8.0), "pairs", 0.10, [("logreg", "all", 0), ("logreg", "few", 0.6)], "noisy"),
    ("blobs-100class-uniform-15-1model", ("blobs", 6000, 100, 48, 10.0), "uniform", 0.15, [("lda", "all", 0)], "clean"),
    ("blobs-10class-human-40-5models", ("blobs", 5000, 10, 24, 5.0), "human", 0.40, [("logreg", "all", 0), ("lda", "few", 0), ("forest", "all", 0), ("nb", "few", 0), ("logreg", "all", 0.8)], "noisy"),
]


def build(name, spec, seed, out):
    features, noise_kind, rate, model_specs, embedding = spec
    rng = np.random.default_rng(seed)
    if features == "digits":
        x, y = digits_features()
        side = 8
    elif features == "cancer":
        x, y = cancer_features()
        side = None
    else:
        _, n, k, dim, separation = features
        x, y = blob_features(rng, n, k, dim, separation)
        side = None
    k = int(y.max()) + 1
    n = len(y)
    oracle = oracle_probabilities(x, y, seed)
    given = add_noise(rng, y, k, noise_kind, rate, oracle)

    def view_of(kind):
        if kind == "all":
            return x
        if kind == "pooled":
            return pooled(x, side) if side else x[:, : max(2, x.shape[1] // 4)]
        if kind == "few":
            dims = rng.choice(x.shape[1], size=max(2, x.shape[1] // 3), replace=False)
            return x[:, dims] + rng.normal(size=(n, len(dims))) * 0.8
        raise ValueError(kind)

    models = []
    for m, (model_name, view, shuffle) in enumerate(model_specs):
        p = out_of_fold(model_name, view_of(view), given, k, seed + m)
        if shuffle > 0:
            p = confidence_shuffled(rng, p, shuffle)
        label = f"{model_name}-{view}" + (f"-shuffled{int(shuffle * 100)}" if shuffle > 0 else "")
        if any(label == l for l, _ in models):
            label += f"-{m}"
        models.append((label, p))

    emb = None
    if embedding == "pca":
        emb = pca(x, 16, seed)
    elif embedding == "noisy-pca":
        e = pca(x, 16, seed)
        emb = e + rng.normal(size=e.shape) * e.std() * 0.8
    elif embedding == "pretrained":
        emb = pretrained(x, y, seed)
    elif embedding == "noisy":
        emb = x + rng.normal(size=x.shape) * x.std() * 1.0
    elif embedding == "clean":
        emb = x

    write_dataset(os.path.join(out, name), x, y, given, k, models, emb)
    write_cleanlab_scores(os.path.join(out, name), given, models)
    return {"name": name, "items": n, "classes": k, "errors": int((given != y).sum()), "models": [l for l, _ in models],
            "embeddings": embedding}


def write_dataset(root, x, y, given, k, models, emb):
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    os.makedirs(os.path.join(root, "predictions"), exist_ok=True)
    seed_png = os.path.join(root, "images", ".seed.png")
    with open(seed_png, "wb") as f:
        f.write(TINY_PNG)
    classes = [f"c{c:03d}" for c in range(k)]
    with open(os.path.join(root, "classes.txt"), "w") as f:
        f.write("\n".join(classes) + "\n")
    paths = [f"img-{i:06d}.png" for i in range(len(y))]
    for p in paths:
        target = os.path.join(root, "images", p)
        if not os.path.exists(target):
            os.link(seed_png, target)
    with open(os.path.join(root, "items.csv"), "w") as f:
        f.write("image\n" + "".join(p + "\n" for p in paths))
    with open(os.path.join(root, "labels.csv"), "w") as f:
        f.write("image,label\n" + "".join(f"{p},{classes[g]}\n" for p, g in zip(paths, given)))
    with open(os.path.join(root, "ground_truth.csv"), "w") as f:
        f.write("image,true_label,given_label,is_label_error\n")
        f.write("".join(f"{p},{classes[t]},{classes[g]},{int(t != g)}\n" for p, t, g in zip(paths, y, given)))
    for label, p in models:
        np.save(os.path.join(root, "predictions", label + ".npy"), p.astype(np.float32))
    if emb is not None:
        np.save(os.path.join(root, "embeddings.npy"), emb.astype(np.float32))
    # Every image is the same tiny PNG: content hashing must not make them one group.
    with open(os.path.join(root, "winnow.toml"), "w") as f:
        f.write("[analysis]\nexact_duplicates = false\n")


def write_cleanlab_scores(root, given, models):
    """cleanlab's own rankings, on the float32 probabilities Winnow reads (as float64)."""
    from cleanlab.rank import get_label_quality_ensemble_scores, get_label_quality_scores
    names, columns = [], []
    probs = [(label, p.astype(np.float32).astype(np.float64)) for label, p in models]
    for label, p in probs:
        for method in ("self_confidence", "normalized_margin"):
            names.append(f"cleanlab {method.replace('_', '-')}, {label}")
            columns.append(get_label_quality_scores(given, p, method=method))
    if len(probs) > 1:
        names.append("cleanlab ensemble (self-confidence, accuracy-weighted)")
        columns.append(get_label_quality_ensemble_scores(given, [p for _, p in probs], verbose=False))
    np.save(os.path.join(root, "cleanlab_scores.npy"), np.stack(columns, axis=1).astype(np.float64))
    with open(os.path.join(root, "cleanlab_scores.txt"), "w") as f:
        f.write("\n".join(names) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default=None, help="comma-separated dataset names")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    if a.list:
        print("\n".join(name for name, *_ in SUITE))
        return 0
    only = set(a.only.split(",")) if a.only else None
    import cleanlab
    made = []
    for index, (name, *spec) in enumerate(SUITE):
        if only and name not in only:
            continue
        print(f"building {name} …", file=sys.stderr, flush=True)
        made.append(build(name, spec, a.seed * 1000 + index, a.out))
    print(json.dumps({"cleanlab_version": cleanlab.__version__, "seed": a.seed, "datasets": made}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
