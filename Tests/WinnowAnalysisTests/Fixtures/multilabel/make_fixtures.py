#!/usr/bin/env python3
"""Generate cleanlab 2.9 reference fixtures for Winnow's multi-label confident learning.

    python3 -m venv /tmp/venv-multilabel
    /tmp/venv-multilabel/bin/pip install -r requirements.txt
    /tmp/venv-multilabel/bin/python make_fixtures.py

Writes one folder per dataset next to this script (see README.md): labels.json (the
multi-label sets, a list of lists of class indices), pred_probs.npy (float32, N x K,
rows need not sum to 1) and expected.json (what cleanlab computed on
pred_probs.astype(float64)). Deterministic: every dataset has its own numpy seed.
"""

import json
import os
import sys
import warnings
from functools import reduce

import numpy as np

import cleanlab
import cleanlab.filter
import cleanlab.internal.validation as validation
import cleanlab.multilabel_classification.dataset as ml_dataset
import cleanlab.multilabel_classification.filter as ml_filter
import cleanlab.multilabel_classification.rank as ml_rank
import cleanlab.count

HERE = os.path.dirname(os.path.abspath(__file__))

FILTER_BY = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
             "predicted_neq_given", "low_self_confidence", "low_normalized_margin"]
PER_CLASS_FILTER_BY = FILTER_BY  # find_multilabel_issues_per_class accepts all of them
RANK_METHODS = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]


# ============================================================ helpers
def flist(a):
    return [None if (isinstance(x, float) and np.isnan(x)) else float(x)
            for x in np.asarray(a, dtype=np.float64).ravel()]


def ilist(a):
    return [int(x) for x in np.asarray(a).ravel()]


class stable_argsort:
    """Every np.argsort inside cleanlab with kind="stable" (see ../cleanlab/README.md, "Ties")."""

    def __enter__(self):
        self._orig = np.argsort
        orig = self._orig

        def _stable(a, axis=-1, kind=None, order=None, **kw):
            return orig(a, axis=axis, kind="stable", order=order, **kw)

        np.argsort = _stable
        return self

    def __exit__(self, *exc):
        np.argsort = self._orig
        return False


class one_class_columns_allowed:
    """cleanlab accepts a one-vs-rest column with no positive (all zeros: "occurs with missing
    classes in multi-label settings") in most places, but refuses one where every item is
    positive, and `predicted_neq_given` refuses both ("Labels must contain at least 2
    classes"), although the algorithm is defined for them (a class with no member is handled
    like an unused class in single-label data). Winnow computes them; this lifts that one
    check, nothing else, to compute the reference."""

    def __enter__(self):
        self._orig = validation.assert_valid_class_labels
        orig = self._orig

        def _relaxed(y, allow_missing_classes=True, allow_one_class=False):
            if set(np.unique(y).tolist()) in ({0}, {1}):
                allow_one_class = True
            return orig(y, allow_missing_classes=allow_missing_classes, allow_one_class=allow_one_class)

        validation.assert_valid_class_labels = _relaxed
        return self

    def __exit__(self, *exc):
        validation.assert_valid_class_labels = self._orig
        return False


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def onehot(labels, K):
    Y = np.zeros((len(labels), K), dtype=np.int64)
    for i, ls in enumerate(labels):
        for k in ls:
            Y[i, k] = 1
    return Y


def to_lists(Y):
    return [[int(k) for k in np.flatnonzero(row)] for row in Y]


# ============================================================ datasets
def noisy_multilabel(rng, N, K, prevalence, miss, extra, sharpness, noise_sd, correlated=()):
    """True multi-hot labels with optional correlated pairs, given labels with per-class
    missing (true positive dropped) and extra (false positive added) rates, sigmoid
    probabilities from logits +-sharpness with Gaussian noise."""
    T = (rng.random((N, K)) < prevalence).astype(np.int64)
    for a, b in correlated:  # b tends to appear with a
        T[:, b] = np.where(T[:, a] == 1, (rng.random(N) < 0.7).astype(np.int64), T[:, b])
    drop = rng.random((N, K)) < miss
    add = rng.random((N, K)) < extra
    G = np.where(T == 1, np.where(drop, 0, 1), np.where(add, 1, 0))
    logits = np.where(T == 1, sharpness, -sharpness) + rng.normal(0.0, noise_sd, (N, K))
    P = sigmoid(logits).astype(np.float32)
    return G, P


def ds_basic():
    rng = np.random.default_rng(16001)
    N, K = 800, 6
    prevalence = np.array([0.45, 0.3, 0.2, 0.1, 0.05, 0.25])
    G, P = noisy_multilabel(rng, N, K, prevalence, miss=np.array([0.08, 0.1, 0.15, 0.05, 0.2, 0.1]),
                            extra=np.array([0.02, 0.01, 0.03, 0.01, 0.005, 0.02]), sharpness=2.2,
                            noise_sd=1.4, correlated=[(0, 5)])
    return to_lists(G), P


def ds_every_and_none():
    """Class 0 is on every item, class 4 on none; many items have no other label (some none
    at all except class 0... and a block of items has an empty set once class 0 is the only
    all-positive column: see ds_empty_items for items with no labels)."""
    rng = np.random.default_rng(16002)
    N, K = 500, 5
    prevalence = np.array([1.0, 0.3, 0.15, 0.4, 0.0])
    G, P = noisy_multilabel(rng, N, K, prevalence, miss=np.array([0.0, 0.1, 0.1, 0.1, 0.0]),
                            extra=np.array([0.0, 0.02, 0.02, 0.02, 0.0]), sharpness=2.0, noise_sd=1.5)
    G[:, 0] = 1
    G[:, 4] = 0
    # the model is unsure of class 0 on a few items and believes in class 4 on a few
    P[rng.choice(N, 25, replace=False), 0] = np.float32(0.2)
    P[rng.choice(N, 12, replace=False), 4] = np.float32(0.9)
    return to_lists(G), P


def ds_empty_items():
    """A third of the items have no label at all; one class has a single positive, another
    a single negative (min_examples_per_class = 1 leaves them unflagged)."""
    rng = np.random.default_rng(16003)
    N, K = 600, 6
    prevalence = np.array([0.3, 0.2, 0.15, 0.25, 0.0, 1.0])
    G, P = noisy_multilabel(rng, N, K, prevalence, miss=0.1, extra=0.02, sharpness=2.0, noise_sd=1.3)
    empty = rng.random(N) < 0.33
    G[empty, :] = 0
    G[:, 4] = 0
    G[7, 4] = 1             # class 4: exactly one positive
    G[:, 5] = np.where(empty, 0, 1)
    G[rng.choice(np.flatnonzero(~empty), 1), 5] = 0  # class 5 positive on all non-empty items but one
    return to_lists(G), P


def ds_ties():
    """Probabilities on a 1/16 grid (exact ties everywhere: equal margins, equal scores,
    p = 0.5 exactly, i.e. p0 == p1), duplicated rows, and values 0 and 1."""
    rng = np.random.default_rng(16004)
    N, K = 480, 4
    prevalence = np.array([0.5, 0.3, 0.2, 0.4])
    G, P = noisy_multilabel(rng, N, K, prevalence, miss=0.12, extra=0.05, sharpness=1.8, noise_sd=1.2)
    P = (np.round(P.astype(np.float64) * 16) / 16).astype(np.float32)
    P[rng.choice(N, 30, replace=False), 1] = np.float32(0.5)
    P[rng.choice(N, 10, replace=False), 2] = np.float32(0.0)
    P[rng.choice(N, 10, replace=False), 3] = np.float32(1.0)
    dup = rng.choice(N, 40, replace=False)
    P[dup[20:]] = P[dup[:20]]
    G[dup[20:]] = G[dup[:20]]
    return to_lists(G), P


def ds_large():
    rng = np.random.default_rng(16005)
    N, K = 5000, 20
    prevalence = rng.uniform(0.01, 0.4, K)
    miss = rng.uniform(0.02, 0.2, K)
    extra = rng.uniform(0.0, 0.03, K)
    G, P = noisy_multilabel(rng, N, K, prevalence, miss=miss, extra=extra, sharpness=2.5, noise_sd=1.5,
                            correlated=[(0, 1), (2, 3), (4, 5)])
    return to_lists(G), P


def ds_weak_model():
    """A poor model (weak logits) and heavy noise: many issues, many near-equal scores."""
    rng = np.random.default_rng(16006)
    N, K = 700, 8
    prevalence = rng.uniform(0.05, 0.5, K)
    G, P = noisy_multilabel(rng, N, K, prevalence, miss=0.25, extra=0.08, sharpness=0.8, noise_sd=1.6)
    return to_lists(G), P


# ============================================================ expected values
def capture(fn, sink):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    for x in w:
        msg = str(x.message).strip().splitlines()[0]
        if msg not in sink:
            sink.append(msg)
    return out


def cleanlab_outputs(labels, P, warn):
    K = P.shape[1]
    exp = {}
    exp["find_label_issues"] = {
        m: ilist(np.flatnonzero(capture(lambda: ml_filter.find_label_issues(labels, P, filter_by=m, n_jobs=1), warn)))
        for m in FILTER_BY}
    per_class = {}
    for m in PER_CLASS_FILTER_BY:
        masks = capture(lambda: ml_filter.find_multilabel_issues_per_class(labels, P, filter_by=m, n_jobs=1), warn)
        per_class[m] = [ilist(np.flatnonzero(masks[:, k])) for k in range(K)]
    exp["per_class_issues"] = per_class
    exp["ranked"] = {
        m: {r: ilist(capture(lambda: ml_filter.find_label_issues(labels, P, filter_by=m, return_indices_ranked_by=r,
                                                                  n_jobs=1), warn))
            for r in RANK_METHODS}
        for m in FILTER_BY}
    exp["common_multilabel_issues"] = [
        {"class": int(r["Class Index"]), "in_given_label": bool(r["In Given Label"]),
         "in_suggested_label": bool(r["In Suggested Label"]), "num_examples": int(r["Num Examples"]),
         "issue_probability": float(r["Issue Probability"])}
        for _, r in capture(lambda: ml_dataset.common_multilabel_issues(labels, P), warn).iterrows()]
    exp["rank_classes_by_multilabel_quality"] = [
        {"class": int(r["Class Index"]), "label_issues": int(r["Label Issues"]),
         "inverse_label_issues": int(r["Inverse Label Issues"]), "label_noise": float(r["Label Noise"]),
         "inverse_label_noise": float(r["Inverse Label Noise"]), "label_quality_score": float(r["Label Quality Score"])}
        for _, r in capture(lambda: ml_dataset.rank_classes_by_multilabel_quality(labels, P), warn).iterrows()]
    exp["overall_multilabel_health_score"] = float(
        capture(lambda: ml_dataset.overall_multilabel_health_score(labels, P), warn))
    return exp


def describe(labels, P32, note):
    P = P32.astype(np.float64)
    N, K = P.shape
    Y = onehot(labels, K)
    warn = []
    exp = {"n": int(N), "k": int(K), "cleanlab_version": cleanlab.__version__, "numpy_version": np.__version__,
           "notes": note,
           "positives_per_class": ilist(Y.sum(axis=0)),
           "items_without_labels": int(sum(1 for l in labels if not l))}
    exp["classes_on_every_item"] = [k for k in range(K) if Y[:, k].all()]
    exp["classes_on_no_item"] = [k for k in range(K) if not Y[:, k].any()]
    return exp


def stock_errors(labels, P):
    """Which filter_by methods stock cleanlab refuses on this dataset (see one_class_columns_allowed)."""
    errors = {}
    for m in FILTER_BY:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ml_filter.find_label_issues(labels, P, filter_by=m, n_jobs=1)
        except ValueError as e:
            errors[m] = f"{type(e).__name__}: {e}"
    return errors


def compute_rest(labels, P32, exp):
    P = P32.astype(np.float64)
    K = P.shape[1]
    warn = []

    # Scores never depend on a sort's tie order.
    exp["label_quality_scores"] = {
        m: flist(capture(lambda: ml_rank.get_label_quality_scores(labels, P, method=m), warn)) for m in RANK_METHODS}
    exp["label_quality_scores_variants"] = {
        "self_confidence/ema_alpha_0.5": flist(ml_rank.get_label_quality_scores(
            labels, P, aggregator_kwargs={"method": "exponential_moving_average", "alpha": 0.5})),
        "self_confidence/ema_alpha_default": flist(ml_rank.get_label_quality_scores(
            labels, P, aggregator_kwargs={"method": "exponential_moving_average"})),
        "self_confidence/softmin": flist(ml_rank.get_label_quality_scores(
            labels, P, aggregator_kwargs={"method": "softmin"})),
        "normalized_margin/softmin_t0.5": flist(ml_rank.get_label_quality_scores(
            labels, P, method="normalized_margin", aggregator_kwargs={"method": "softmin", "temperature": 0.5})),
        "self_confidence/adjusted": flist(ml_rank.get_label_quality_scores(labels, P, adjust_pred_probs=True)),
        "normalized_margin/adjusted": flist(ml_rank.get_label_quality_scores(
            labels, P, method="normalized_margin", adjust_pred_probs=True)),
    }
    if P.size <= 10000:  # the per-class scores of the large dataset would be 6 MB
        exp["label_quality_scores_per_class"] = {
            m: [flist(s) for s in np.asarray(ml_rank.get_label_quality_scores_per_class(labels, P, method=m)).T]
            for m in RANK_METHODS}  # returned items x classes; stored class by class
    cj = capture(lambda: cleanlab.count.compute_confident_joint(labels, P, multi_label=True), warn)
    exp["confident_joint"] = np.asarray(cj).astype(int).tolist()
    exp["confident_thresholds"] = [flist(t) for t in
                                   capture(lambda: cleanlab.count.get_confident_thresholds(labels, P, multi_label=True), warn)]

    stock = cleanlab_outputs(labels, P, warn)
    with stable_argsort():
        stable = cleanlab_outputs(labels, P, [])
    exp["stable_argsort"] = stable
    exp["tie_sensitive"] = {key: stock[key] != stable[key] for key in stable}
    exp["warnings"] = warn

    # float32 input: what cleanlab flags when handed the float32 array itself (1 - p rounded
    # to float32). Not compared by the tests; recorded to show whether it differs.
    with stable_argsort():
        f32 = {m: ilist(np.flatnonzero(ml_filter.find_label_issues(labels, P32, filter_by=m, n_jobs=1)))
               for m in FILTER_BY[:5]}
    exp["diagnostics"] = {"float32_input_differs": {m: f32[m] != stable["find_label_issues"][m] for m in f32}}
    return exp


def write_dataset(name, labels, P32, note):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    P32 = np.ascontiguousarray(P32, dtype=np.float32)
    assert len(labels) == P32.shape[0]
    assert np.all(P32 >= 0) and np.all(P32 <= 1)
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump(labels, f, separators=(",", ":"))
        f.write("\n")
    np.save(os.path.join(out, "pred_probs.npy"), P32)
    exp = describe(labels, P32, note)
    exp["stock_cleanlab_errors"] = stock_errors(labels, P32.astype(np.float64))
    with one_class_columns_allowed():
        exp = compute_rest(labels, P32, exp)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(exp, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    counts = {m: len(v) for m, v in exp["stable_argsort"]["find_label_issues"].items()}
    print(name, "N=%d K=%d" % P32.shape, counts,
          "tie-sensitive:", [k for k, v in exp["tie_sensitive"].items() if v], flush=True)


def main():
    print("cleanlab", cleanlab.__version__, "numpy", np.__version__, flush=True)
    write_dataset("ml_basic", *ds_basic(), "seed 16001; 800x6; prevalence 5-45%, per-class miss/extra rates, "
                  "class 5 correlated with class 0")
    write_dataset("ml_every_and_none", *ds_every_and_none(),
                  "seed 16002; 500x5; class 0 on every item (stock cleanlab refuses: see stock_cleanlab_error; "
                  "computed with that one check lifted), class 4 on none")
    write_dataset("ml_empty_items", *ds_empty_items(),
                  "seed 16003; 600x6; a third of the items have no label; class 4 has one positive, "
                  "class 5 is on every labelled item but one")
    write_dataset("ml_ties", *ds_ties(), "seed 16004; 480x4; probabilities on a 1/16 grid, p = 0.5, 0 and 1, "
                  "20 duplicated rows")
    write_dataset("ml_large", *ds_large(), "seed 16005; 5000x20; random prevalence, miss and extra rates")
    write_dataset("ml_weak_model", *ds_weak_model(), "seed 16006; 700x8; weak model, heavy noise")


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
