#!/usr/bin/env python3
"""Generate cleanlab reference fixtures for the Swift re-implementation.

Usage (from any directory):
    python3 -m venv /tmp/cleanlab-venv
    /tmp/cleanlab-venv/bin/pip install -r requirements.txt
    /tmp/cleanlab-venv/bin/python make_fixtures.py

Writes one folder per dataset next to this script (see README.md). Deterministic:
every random draw uses numpy's default_rng with a fixed seed.
"""

import csv
import json
import math
import os
import sys
import warnings

import numpy as np

import cleanlab
import cleanlab.count
import cleanlab.filter
import cleanlab.rank

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import cl_spec  # noqa: E402  (cross-check of the written algorithm description)

REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SHAPES = os.path.join(REPO, "SampleProjects", "shapes")

FILTER_BY = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
             "predicted_neq_given"]
RANK_METHODS = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]


# ============================================================ helpers
def to_f32_rows(p64):
    """Normalise rows in float64, then round to float32 (rows sum to 1 within f32 rounding)."""
    p64 = np.asarray(p64, dtype=np.float64)
    p64 = p64 / p64.sum(axis=1, keepdims=True)
    return p64.astype(np.float32)


def flist(a):
    """Floats as JSON numbers with full precision (Python repr = shortest round-trip)."""
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def ilist(a):
    return [int(x) for x in np.asarray(a).ravel()]


def noisy_labels(rng, true, noise_matrix):
    """noise_matrix[i][j] = P(given=j | true=i)."""
    K = noise_matrix.shape[0]
    given = np.empty_like(true)
    for i in range(len(true)):
        given[i] = rng.choice(K, p=noise_matrix[true[i]])
    return given


def dirichlet_centred(rng, true, K, conc_true, conc_conf, base, confusable, hard_frac):
    """Dirichlet probabilities centred on the true class with extra mass on a confusable class;
    a fraction of 'hard' items get a much flatter Dirichlet."""
    n = len(true)
    P = np.empty((n, K))
    for i in range(n):
        alpha = np.full(K, base)
        alpha[true[i]] += conc_true
        alpha[confusable[true[i]]] += conc_conf
        if rng.random() < hard_frac:
            alpha = np.full(K, 1.0) + 0.8 * (np.arange(K) == true[i])
        P[i] = rng.dirichlet(alpha)
    return P


def class_conditional_noise(K, rate, confusable, rng):
    nm = np.zeros((K, K))
    for i in range(K):
        nm[i, i] = 1.0 - rate
        others = [j for j in range(K) if j != i]
        w = np.full(len(others), 0.3 / max(1, len(others) - 1))
        w[others.index(confusable[i])] = 0.7 if len(others) > 1 else 1.0
        w = w / w.sum()
        for j, wj in zip(others, w):
            nm[i, j] = rate * wj
    return nm


# ============================================================ datasets
def ds_shapes():
    classes = [l.strip() for l in open(os.path.join(SHAPES, "classes.txt"), encoding="utf-8")
               if l.strip()]
    cidx = {c: i for i, c in enumerate(classes)}
    with open(os.path.join(SHAPES, "items.csv"), encoding="utf-8", newline="") as f:
        items = [r["image"] for r in csv.DictReader(f)]
    first_label = {}
    with open(os.path.join(SHAPES, "labels.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            first_label.setdefault(r["image"], r["label"])  # FIRST row wins
    labels = np.array([cidx[first_label[it]] for it in items], dtype=np.int64)
    # sanity: ground_truth.csv given_label is documented as the same rule
    with open(os.path.join(SHAPES, "ground_truth.csv"), encoding="utf-8", newline="") as f:
        gt = {r["image"]: r["given_label"] for r in csv.DictReader(f)}
    assert all(gt[it] == first_label[it] for it in items)

    logreg = np.load(os.path.join(SHAPES, "predictions", "logreg.npy"))
    assert logreg.dtype == np.float32 and logreg.shape == (len(items), len(classes))
    with open(os.path.join(SHAPES, "predictions", "forest.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["image"] for r in rows] == items
    forest = np.array([[float(r[c]) for c in classes] for r in rows]).astype(np.float32)
    return labels, logreg, forest, classes


def ds_synthetic_5class():
    rng = np.random.default_rng(5001)
    K, N = 5, 2000
    true = rng.choice(K, size=N, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    confusable = {0: 1, 1: 2, 2: 0, 3: 4, 4: 3}
    nm = class_conditional_noise(K, 0.15, confusable, rng)
    given = noisy_labels(rng, true, nm)
    P = dirichlet_centred(rng, true, K, conc_true=6.0, conc_conf=1.5, base=0.6,
                          confusable=confusable, hard_frac=0.08)
    return given.astype(np.int64), to_f32_rows(P)


def ds_binary():
    rng = np.random.default_rng(2002)
    N = 1000
    true = (rng.random(N) < 0.4).astype(np.int64)
    flip = np.where(true == 0, rng.random(N) < 0.10, rng.random(N) < 0.25)
    given = np.where(flip, 1 - true, true).astype(np.int64)
    logit = np.where(true == 1, 1.8, -1.8) + rng.normal(0, 1.6, N)
    p1 = 1.0 / (1.0 + np.exp(-logit))
    P = np.stack([1.0 - p1, p1], axis=1)
    return given, to_f32_rows(P)


def ds_no_confident_class():
    """K=4. Class 3 has 60 labelled items but is never argmax and never 'confident'
    except where another class is confident with a larger probability, so the
    raw confident-joint column 3 is all zero (cleanlab then forces cj[3][3] = 1)."""
    rng = np.random.default_rng(4004)
    K = 4
    rows, labels = [], []
    for c, n in [(0, 200), (1, 180), (2, 160)]:
        true = np.full(n, c)
        confusable = {0: 1, 1: 2, 2: 0}
        for i in range(n):
            alpha = np.array([0.7, 0.7, 0.7])
            alpha[c] += 5.0
            alpha[confusable[c]] += 1.0
            p3 = rng.uniform(0.0, 0.10)  # far below t3 (= 0.15)
            p = rng.dirichlet(alpha) * (1.0 - p3)
            rows.append([p[0], p[1], p[2], p3])
        # ~10% noisy labels among classes 0..2
        lab = np.where(rng.random(n) < 0.10, rng.choice([x for x in range(3) if x != c], n), c)
        labels.extend(lab.tolist())
    # class-3-labelled items: p3 == 0.15 exactly (so t3 == 0.15 up to rounding of the mean),
    # and one of classes 0..2 gets >= 0.70 (above its threshold), so the row is confident
    # in two classes and the argmax (never 3) wins.
    for i in range(60):
        j = i % 3
        big = rng.uniform(0.70, 0.80)
        rest = 1.0 - 0.15 - big
        split = rng.dirichlet([1.0, 1.0])
        p = [0.0, 0.0, 0.0, 0.15]
        others = [x for x in range(3) if x != j]
        p[j] = big
        p[others[0]] = rest * split[0]
        p[others[1]] = rest * split[1]
        rows.append(p)
        labels.append(3)
    P = np.array(rows)
    perm = rng.permutation(len(rows))
    P = P[perm]
    labels = np.array(labels, dtype=np.int64)[perm]
    P32 = to_f32_rows(P)
    P32[labels == 3, 3] = np.float32(0.15)
    return labels, P32


def f32_below(x):
    """Largest float32 strictly below float64 x."""
    f = np.float32(x)
    if float(f) >= x:
        f = np.nextafter(f, np.float32(-1))
    return f


def f32_at_or_above(x):
    f = np.float32(x)
    if float(f) < x:
        f = np.nextafter(f, np.float32(2))
    return f


def ds_near_ties():
    """K=4, hand-built rows with exact / sub-1e-7 ties and probabilities sitting on the
    class-0 threshold (t0 == 0.5 exactly) and on either side of t0 - 1e-6."""
    rng = np.random.default_rng(7007)
    K = 4
    rows, labels = [], []

    def add(p, lab, copies=1):
        p = [float(np.float32(v)) for v in p]
        for _ in range(copies):
            rows.append(list(p))
            labels.append(lab)

    # --- class 0: dyadic rows, p0 in symmetric pairs around 0.5 -> t0 == 0.5 exactly
    splits = [(0.5, 0.25, 0.25), (0.25, 0.5, 0.25), (0.25, 0.25, 0.5), (0.5, 0.5, 0.0)]
    for d in [0.0, 0.0625, 0.125, 0.1875, 0.25]:
        for s in splits:
            for p0 in (0.5 + d, 0.5 - d):
                r = 1.0 - p0
                add([p0, r * s[0], r * s[1], r * s[2]], 0, copies=2)
    # exact argmax ties labelled 0 (0 is first -> argmax 0) and their pairs
    add([0.375, 0.375, 0.125, 0.125], 0, copies=3)
    add([0.625, 0.125, 0.125, 0.125], 0, copies=3)
    add([0.375, 0.125, 0.375, 0.125], 0, copies=2)
    add([0.625, 0.1875, 0.125, 0.0625], 0, copies=2)
    # one-hot rows (entropy 0: confidence_weighted_entropy score is 0.0 even when correct);
    # p0 = 1.0 and p0 = 0.0 keep the class-0 mean at exactly 0.5
    add([1.0, 0.0, 0.0, 0.0], 0)
    add([0.0, 0.5, 0.25, 0.25], 0)

    # --- class 3: confident, t3 ~ 0.9
    for _ in range(60):
        p3 = rng.uniform(0.84, 0.96)
        o = rng.dirichlet([1, 1, 1]) * (1 - p3)
        add([o[0], o[1], o[2], p3], 3)

    # --- classes 1 and 2: low confidence (t ~ 0.27) with near ties
    for c, other in [(1, 2), (2, 1)]:
        for _ in range(90):
            alpha = np.array([1.5, 1.0, 1.0, 1.0])
            alpha[c] += 0.3
            p = rng.dirichlet(alpha)
            add(list(p), c)
        for base in [0.22, 0.25, 0.27, 0.30]:
            x = np.float32(base)
            up1 = np.nextafter(x, np.float32(1))
            up2 = np.nextafter(up1, np.float32(1))
            for b in [x, up1, up2, np.float32(base + 5e-8), np.float32(base + 9e-8)]:
                # top two: given label c = x, other = b (b >= x) ; argmax tie / near tie
                p = [0.0] * 4
                p[c] = float(x)
                p[other] = float(b)
                rem = 1.0 - float(x) - float(b)
                p[0] = rem * 0.6
                p[3] = rem * 0.4
                add(p, c)
                # mirror: given label is the other one
                p2 = list(p)
                p2[c], p2[other] = float(b), float(x)
                add(p2, c)
        # _reduce_issues boundary: other = label prob + 1e-6 +/- one float32 step
        for base in [0.33, 0.36]:
            x = np.float32(base)
            for b in [f32_below(float(x) + 1e-6), f32_at_or_above(float(x) + 1e-6)]:
                p = [0.0] * 4
                p[c] = float(x)
                p[other] = float(b)
                rem = 1.0 - float(x) - float(b)
                p[0], p[3] = rem * 0.5, rem * 0.5
                add(p, c)
        # confident in c and other, argmax is class 3 which is NOT confident (t3 ~ 0.85):
        # cleanlab then counts the row as true class 3 (argmax over the whole row)
        add([0.01, 0.30, 0.30, 0.39] if c == 1 else [0.01, 0.295, 0.305, 0.39], c, copies=2)

    add([0.0, 0.0, 0.0, 1.0], 1)  # one-hot, wrong given label (self-confidence 0 -> clipped 1e-6)
    # --- probes on the class-0 threshold (t0 = 0.5); labelled 1, 2, 3
    cut = 0.5 - 1e-6
    probe_vals = [0.5, f32_below(0.5), f32_at_or_above(cut), f32_below(cut),
                  np.float32(0.5 - 2.0 ** -20), np.float32(0.5 - 2.0 ** -19)]
    for lab in (1, 2, 3):
        for v in probe_vals:
            v = float(np.float32(v))
            rem = 1.0 - v
            p = [v, 0.0, 0.0, 0.0]
            others = [x for x in (1, 2, 3)]
            w = {1: (0.5, 0.3, 0.2), 2: (0.3, 0.5, 0.2), 3: (0.2, 0.3, 0.5)}[lab]
            for o, ww in zip(others, w):
                p[o] = rem * ww
            add(p, lab)
    # probes exactly on thresholds of classes 1..3 are added after those are known (below)

    P = np.array(rows, dtype=np.float64)
    labels = np.array(labels, dtype=np.int64)
    # make every row's last non-designed entry absorb the float32 rounding so rows sum to 1
    P32 = P.astype(np.float32)
    P32 = _fix_row_sums(P32)
    # probes at exactly the computed float32-representable thresholds of class 0
    t = cleanlab.count.get_confident_thresholds(labels, P32.astype(np.float64))
    assert t[0] == 0.5, t
    perm = rng.permutation(len(labels))
    return labels[perm], P32[perm]


def _fix_row_sums(P32):
    """Put the float32 rounding residue of each row into its smallest entry (never the
    designed top entries), keeping all entries >= 0."""
    P32 = P32.copy()
    for i in range(P32.shape[0]):
        resid = 1.0 - float(P32[i].astype(np.float64).sum())
        if resid == 0.0:
            continue
        order = np.argsort(P32[i], kind="stable")
        j = order[0] if P32[i][order[0]] > 0 else order[1]
        P32[i][j] = np.float32(max(0.0, float(P32[i][j]) + resid))
    return P32


def ds_imbalanced(with_empty=True):
    rng = np.random.default_rng(8008)
    sizes = [1500, 800, 400, 150, 60, 12, 1, 0] if with_empty else [1500, 800, 400, 150, 60, 12, 1]
    K = len(sizes)
    true = np.concatenate([np.full(s, k) for k, s in enumerate(sizes)]).astype(np.int64)
    confusable = {k: (k + 1) % K for k in range(K)}
    if with_empty:
        confusable[6] = 5
    P = dirichlet_centred(rng, true, K, conc_true=5.0, conc_conf=1.2, base=0.4,
                          confusable=confusable, hard_frac=0.06)
    given = true.copy()
    present = [k for k, s in enumerate(sizes) if s > 0]
    for i in range(len(given)):
        if given[i] != 6 and rng.random() < 0.08:  # keep the singleton class intact
            choices = [k for k in present if k != given[i] and k != 6]
            given[i] = rng.choice(choices)
    if with_empty:
        # a few class-0-labelled items that the model puts in the (never-labelled) class 7
        idx = rng.choice(np.where(given == 0)[0], size=6, replace=False)
        for i in idx:
            p = rng.dirichlet(np.full(K, 0.5))
            p[7] += 3.0
            P[i] = p / p.sum()
    perm = rng.permutation(len(given))
    return given[perm].astype(np.int64), to_f32_rows(P[perm])


def ds_large_10class():
    rng = np.random.default_rng(10010)
    K, N = 10, 5000
    prior = rng.dirichlet(np.full(K, 4.0))
    true = rng.choice(K, size=N, p=prior)
    confusable = {k: (k + 3) % K for k in range(K)}
    nm = class_conditional_noise(K, 0.15, confusable, rng)
    given = noisy_labels(rng, true, nm)
    P = dirichlet_centred(rng, true, K, conc_true=7.0, conc_conf=1.8, base=0.35,
                          confusable=confusable, hard_frac=0.07)
    return given.astype(np.int64), to_f32_rows(P)


# ============================================================ expected values
def capture(fn, sink):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    for x in w:
        msg = str(x.message).strip()
        if msg not in sink:
            sink.append(msg)
    return out


class stable_argsort:
    """Context manager: make every np.argsort call inside cleanlab use kind="stable".

    cleanlab calls np.argsort (default kind="quicksort") in internal/util.py
    round_preserving_sum, filter.py _prune_by_class / _prune_by_count and rank.py
    order_label_issues. numpy's "quicksort" is not stable and on x86-64 with AVX-512 it
    is x86-simd-sort, whose tie order is CPU/build specific. Forcing stable gives the
    portable, well-defined answer a port can reproduce."""

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


def cleanlab_outputs(labels, P, P32, models, warn, errors, prefix=""):
    def run(key, fn):
        try:
            return capture(fn, warn)
        except Exception as e:  # recorded, not fatal
            errors[prefix + key] = f"{type(e).__name__}: {e}"
            return None

    exp = {}
    t = run("confident_thresholds", lambda: cleanlab.count.get_confident_thresholds(labels, P))
    exp["confident_thresholds"] = None if t is None else flist(t)
    cjc = run("confident_joint_calibrated",
              lambda: cleanlab.count.compute_confident_joint(labels, P, calibrate=True))
    cju = run("confident_joint_uncalibrated",
              lambda: cleanlab.count.compute_confident_joint(labels, P, calibrate=False))
    exp["confident_joint_calibrated"] = None if cjc is None else np.asarray(cjc).astype(int).tolist()
    exp["confident_joint_uncalibrated"] = None if cju is None else np.asarray(cju).astype(int).tolist()

    fli, fli32 = {}, {}
    for m in FILTER_BY:
        r = run(f"find_label_issues/{m}", lambda: cleanlab.filter.find_label_issues(
            labels, P, filter_by=m, n_jobs=1))
        fli[m] = None if r is None else ilist(np.flatnonzero(r))
        r32 = run(f"find_label_issues_float32_input/{m}", lambda: cleanlab.filter.find_label_issues(
            labels, P32, filter_by=m, n_jobs=1))
        fli32[m] = None if r32 is None else ilist(np.flatnonzero(r32))
    exp["find_label_issues"] = fli
    exp["find_label_issues_float32_input"] = fli32

    ranked = {}
    for m in RANK_METHODS:
        r = run(f"ranked/{m}", lambda: cleanlab.filter.find_label_issues(
            labels, P, return_indices_ranked_by=m, n_jobs=1))
        ranked[m] = None if r is None else ilist(r)
    exp["ranked"] = ranked

    lqs = {}
    for m in RANK_METHODS:
        r = run(f"label_quality_scores/{m}", lambda: cleanlab.rank.get_label_quality_scores(
            labels, P, method=m))
        lqs[m] = None if r is None else flist(r)
    exp["label_quality_scores"] = lqs

    if models:
        plist = [models[name].astype(np.float64) for name in models]
        r = run("ensemble_scores", lambda: cleanlab.rank.get_label_quality_ensemble_scores(
            labels, plist, method="self_confidence", verbose=False))
        exp["ensemble_scores"] = None if r is None else flist(r)
    return exp


TIE_KEYS = (["confident_joint_calibrated"] + [f"find_label_issues/{m}" for m in FILTER_BY]
            + [f"find_label_issues_float32_input/{m}" for m in FILTER_BY]
            + [f"ranked/{m}" for m in RANK_METHODS])


def _get(d, key):
    for part in key.split("/"):
        d = d[part]
    return d


def compute_expected(labels, P32, models=None):
    P = P32.astype(np.float64)
    N, K = P.shape
    warn, errors = [], {}
    exp = {"n": int(N), "k": int(K), "cleanlab_version": cleanlab.__version__,
           "numpy_version": np.__version__,
           "label_counts": ilist(np.bincount(labels, minlength=K))}
    exp.update(cleanlab_outputs(labels, P, P32, models, warn, errors))
    if models:
        plist = [models[name].astype(np.float64) for name in models]
        acc = [float((p.argmax(axis=1) == labels).mean()) for p in plist]
        exp["ensemble_models"] = list(models)
        exp["ensemble_weighting"] = "accuracy"
        exp["ensemble_model_accuracies"] = acc
        exp["ensemble_weights"] = flist(np.array(acc) / sum(acc))

    with stable_argsort():
        st = cleanlab_outputs(labels, P, P32, models, [], errors, prefix="stable_argsort/")
    # only the keys that can depend on argsort tie order
    exp["stable_argsort"] = {
        "confident_joint_calibrated": st["confident_joint_calibrated"],
        "find_label_issues": st["find_label_issues"],
        "find_label_issues_float32_input": st["find_label_issues_float32_input"],
        "ranked": st["ranked"],
    }
    for k in ("confident_thresholds", "confident_joint_uncalibrated", "label_quality_scores",
              "ensemble_scores"):
        assert st.get(k) == exp.get(k), k  # never sort-dependent
    exp["tie_sensitive"] = {k: _get(exp, k) != _get(exp["stable_argsort"], k) for k in TIE_KEYS}

    exp["warnings"] = warn
    if errors:
        exp["errors"] = errors
    exp["diagnostics"] = diagnostics(labels, P, exp, models)
    return exp


def diagnostics(labels, P, exp, models):
    """Cross-checks against cl_spec.py and tie / precision facts. Not cleanlab outputs."""
    Pl = P.tolist()
    lab = labels.tolist()
    K = P.shape[1]
    st = exp["stable_argsort"]
    d = {}
    t = cl_spec.confident_thresholds(lab, Pl)
    d["spec_thresholds_bitwise_equal"] = exp["confident_thresholds"] == t
    raw, off = cl_spec.confident_joint_raw(lab, Pl, t)
    d["confident_joint_raw_before_diagonal_fix"] = raw
    d["rows_with_no_confident_class"] = int(sum(
        1 for row in Pl if not any(row[j] >= t[j] - 1e-6 for j in range(K))))
    d["rows_confident_in_2plus_classes"] = int(sum(
        1 for row in Pl if sum(row[j] >= t[j] - 1e-6 for j in range(K)) >= 2))
    d["rows_argmax_not_confident_but_2plus_confident"] = int(sum(
        1 for row in Pl if sum(row[j] >= t[j] - 1e-6 for j in range(K)) >= 2
        and not row[cl_spec.argmax_first(row)] >= t[cl_spec.argmax_first(row)] - 1e-6))
    d["rows_with_exact_argmax_tie"] = int(sum(1 for row in Pl if sorted(row)[-1] == sorted(row)[-2]))
    d["rows_with_top2_gap_le_1e-7"] = int(sum(
        1 for row in Pl if sorted(row)[-1] - sorted(row)[-2] <= 1e-7))
    d["spec_cj_uncalibrated_equal"] = (
        cl_spec.compute_confident_joint(lab, Pl, False)[0] == exp["confident_joint_uncalibrated"])
    d["spec_stable_cj_calibrated_equal_stable_argsort"] = (
        cl_spec.compute_confident_joint(lab, Pl, True, "stable")[0] == st["confident_joint_calibrated"])
    d["spec_stable_find_label_issues_equal_stable_argsort"] = {
        m: cl_spec.find_label_issues(lab, Pl, m, "stable") == st["find_label_issues"][m]
        for m in FILTER_BY}
    # would the opposite tie order (ties by descending index) change anything?
    d["reverse_tie_order_changes"] = {
        "confident_joint_calibrated":
            cl_spec.compute_confident_joint(lab, Pl, True, "reverse")[0] != st["confident_joint_calibrated"],
        **{f"find_label_issues/{m}": cl_spec.find_label_issues(lab, Pl, m, "reverse")
           != st["find_label_issues"][m] for m in FILTER_BY}}
    sc = {}
    for m in RANK_METHODS:
        mine = cl_spec.SCORERS[m](lab, Pl)
        ref = exp["label_quality_scores"][m]
        diffs = [abs(a - b) for a, b in zip(mine, ref)]
        sc[m] = {"bitwise_equal_count": int(sum(a == b for a, b in zip(mine, ref))),
                 "max_abs_diff": max(diffs) if diffs else 0.0}
    d["spec_scores_vs_cleanlab_using_python_math_log"] = sc
    rt = {}
    issues = st["find_label_issues"]["prune_by_noise_rate"]
    for m in RANK_METHODS:
        scores = exp["label_quality_scores"][m]
        lst = st["ranked"][m]
        rt[m] = int(sum(1 for a, b in zip(lst, lst[1:]) if scores[a] == scores[b]))
        assert sorted(lst) == issues
        assert all(scores[a] <= scores[b] for a, b in zip(lst, lst[1:]))
    d["ranked_adjacent_equal_score_pairs"] = rt
    d["spec_stable_ranked_equal_stable_argsort"] = {
        m: cl_spec.ranked(lab, Pl, m, issues, "stable") == st["ranked"][m] for m in RANK_METHODS}
    d["ranked_min_nonzero_adjacent_score_gap"] = {
        m: min([exp["label_quality_scores"][m][b] - exp["label_quality_scores"][m][a]
                for a, b in zip(st["ranked"][m], st["ranked"][m][1:])
                if exp["label_quality_scores"][m][b] != exp["label_quality_scores"][m][a]],
               default=None) for m in RANK_METHODS}
    d["float32_input_differs"] = {
        m: exp["find_label_issues"][m] != exp["find_label_issues_float32_input"][m]
        for m in FILTER_BY}
    d["float32_input_differs_stable_argsort"] = {
        m: st["find_label_issues"][m] != st["find_label_issues_float32_input"][m]
        for m in FILTER_BY}
    if models:
        Ps = [models[name].astype(np.float64).tolist() for name in models]
        es, acc, w = cl_spec.ensemble_self_confidence(lab, Ps)
        d["spec_ensemble_bitwise_equal"] = es == exp["ensemble_scores"]
    return d


# ============================================================ writing
def write_dataset(name, labels, P32, models=None, notes=None):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    labels = np.asarray(labels, dtype=np.int64)
    P32 = np.ascontiguousarray(P32, dtype=np.float32)
    assert labels.shape == (P32.shape[0],)
    assert np.all(P32 >= 0)
    rs = P32.astype(np.float64).sum(axis=1)
    assert np.max(np.abs(rs - 1.0)) < 1e-6, np.max(np.abs(rs - 1.0))
    np.save(os.path.join(out, "labels.npy"), labels)
    np.save(os.path.join(out, "pred_probs.npy"), P32)
    if models:
        for mname, arr in models.items():
            np.save(os.path.join(out, f"pred_probs_{mname}.npy"),
                    np.ascontiguousarray(arr, dtype=np.float32))
    exp = compute_expected(labels, P32, models)
    if notes:
        exp["notes"] = notes
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(exp, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    summary = {m: (None if v is None else len(v)) for m, v in exp["find_label_issues"].items()}
    print(name, "N=%d K=%d" % P32.shape, summary, "errors:" if "errors" in exp else "",
          exp.get("errors", ""), flush=True)
    return exp


def main():
    print("cleanlab", cleanlab.__version__, "numpy", np.__version__, flush=True)
    labels, logreg, forest, classes = ds_shapes()
    note = ("SampleProjects/shapes; classes in classes.txt order: " + ",".join(classes) +
            "; label = first labels.csv row per image, rows in items.csv order")
    write_dataset("shapes_logreg", labels, logreg, notes=note + "; pred_probs = predictions/logreg.npy")
    write_dataset("shapes_forest", labels, forest, notes=note + "; pred_probs = predictions/forest.csv as float32")
    write_dataset("shapes_ensemble", labels, logreg, models={"logreg": logreg, "forest": forest},
                  notes=note + "; pred_probs.npy = logreg; ensemble over [logreg, forest] in that order")

    write_dataset("synthetic_5class", *ds_synthetic_5class(),
                  notes="seed 5001; 2000x5; Dirichlet centred on the true class; 15% class-conditional noise")
    write_dataset("binary", *ds_binary(),
                  notes="seed 2002; 1000x2; logistic probabilities; noise 10% (0->1), 25% (1->0)")
    write_dataset("no_confident_class", *ds_no_confident_class(),
                  notes="seed 4004; class 3 is never argmax and never the chosen confident class; "
                        "raw confident-joint column 3 is all zero, cleanlab's diagonal fix sets cj[3][3]=1")
    write_dataset("near_ties", *ds_near_ties(),
                  notes="seed 7007; exact and sub-1e-7 ties, t0 == 0.5 exactly, probes at and around t0 - 1e-6")
    exp = write_dataset("imbalanced", *ds_imbalanced(True),
                        notes="seed 8008; 8 classes with labelled sizes 1500,800,400,150,60,12,1,0 before noise "
                              "(class 6 has exactly one labelled item, class 7 none)")
    if "errors" in exp:
        write_dataset("imbalanced_no_empty", *ds_imbalanced(False),
                      notes="as imbalanced without the never-labelled class")
    write_dataset("large_10class", *ds_large_10class(),
                  notes="seed 10010; 5000x10; Dirichlet centred on the true class; 15% class-conditional noise")


if __name__ == "__main__":
    main()
