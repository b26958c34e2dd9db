"""Fixtures for the helper model's tests: scikit-learn's out-of-fold probabilities on small
datasets, with the folds given explicitly so Winnow can use the same ones.

For each case: features (float32, as Winnow reads them), labels, the fold of every item, C,
and scikit-learn's `cross_val_predict(LogisticRegression(C), X_std, y, cv=PredefinedSplit,
method="predict_proba")`, where X_std is standardised once over all items with
`StandardScaler` (Winnow standardises over every item too: the scaling uses no label).
The models are fitted to a tight tolerance, so both sides reach the same optimum.

Run with the pinned versions of requirements.txt:
    python make_fixtures.py   (writes the *.json files next to it)
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit, cross_val_predict
from sklearn.preprocessing import StandardScaler

HERE = pathlib.Path(__file__).parent


def make_case(name, n, d, k, c, folds, seed, separation=1.0, noise=0.1, constant_columns=(), scale=None):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d)) * separation
    truth = rng.integers(0, k, n)
    x = centres[truth] + rng.normal(size=(n, d))
    if scale is not None:
        x = x * np.asarray(scale)[None, :]
    for j in constant_columns:
        x[:, j] = 3.5
    x = x.astype(np.float32)
    labels = truth.copy()
    flip = rng.random(n) < noise
    labels[flip] = rng.integers(0, k, flip.sum())
    # Stratified folds: each class spread round-robin after a shuffle.
    fold = np.empty(n, dtype=np.int64)
    offset = 0
    for cl in range(k):
        members = rng.permutation(np.flatnonzero(labels == cl))
        fold[members] = (offset + np.arange(len(members))) % folds
        offset += len(members)
    x_std = StandardScaler().fit_transform(x.astype(np.float64))
    model = LogisticRegression(C=c, tol=1e-10, max_iter=100000)
    probabilities = cross_val_predict(model, x_std, labels, cv=PredefinedSplit(fold), method="predict_proba")
    log_loss = float(-np.mean(np.log(np.clip(probabilities[np.arange(n), labels], 1e-15, 1))))
    case = {
        "name": name, "n": n, "d": d, "classes": k, "C": c, "folds": folds,
        "features": [float("%.9g" % v) for v in x.ravel()], "labels": labels.tolist(), "fold": fold.tolist(),
        "probabilities": [float("%.12g" % v) for v in probabilities.ravel()], "log_loss": log_loss,
        "sklearn": sklearn.__version__,
    }
    (HERE / f"{name}.json").write_text(json.dumps(case))
    print(name, "log-loss", round(log_loss, 6))


make_case("three-classes", n=300, d=8, k=3, c=1.0, folds=5, seed=1)
make_case("four-classes-strong-penalty", n=240, d=12, k=4, c=0.05, folds=4, seed=2, separation=0.8, noise=0.15)
make_case("constant-column-and-scales", n=200, d=10, k=5, c=2.0, folds=3, seed=3, constant_columns=(2, 7),
          scale=[1, 1000, 1, 0.001, 5, 1, 1, 1, 50, 0.2])
make_case("two-classes", n=160, d=6, k=2, c=0.5, folds=5, seed=4, separation=0.7)
make_case("ten-classes-weak-penalty", n=600, d=16, k=10, c=20.0, folds=5, seed=5, separation=1.5, noise=0.05)
