#!/usr/bin/env python3
"""Generate cleanlab 2.9 reference fixtures for Winnow's CROWDLAB (multi-annotator) port.

    python3 -m venv /tmp/venv-multilabel
    /tmp/venv-multilabel/bin/pip install -r requirements.txt
    /tmp/venv-multilabel/bin/python make_fixtures.py

Writes one folder per dataset next to this script (see README.md): labels.json (N lists
of M entries, a class index or null where the annotator did not label the item),
pred_probs.npy (float32, N x K) and expected.json (what cleanlab computed on
pred_probs.astype(float64)). Deterministic: every dataset has its own numpy seed.
"""

import json
import os
import sys
import warnings

import numpy as np
import pandas as pd

import cleanlab
import cleanlab.multiannotator as ma

HERE = os.path.dirname(os.path.abspath(__file__))


def flist(a):
    return [None if np.isnan(x) else float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def to_f32_rows(P):
    P = np.asarray(P, dtype=np.float64)
    return (P / P.sum(axis=1, keepdims=True)).astype(np.float32)


def annotate(rng, true, K, accuracy, who):
    """Labels N x M (NaN = not labelled): annotator m labels the items in who[m] with
    probability accuracy[m] of the true class, otherwise a uniformly random other class."""
    N, M = len(true), len(accuracy)
    L = np.full((N, M), np.nan)
    for m in range(M):
        for i in who[m]:
            if rng.random() < accuracy[m]:
                L[i, m] = true[i]
            else:
                L[i, m] = rng.choice([k for k in range(K) if k != true[i]])
    return L


def model_probs(rng, true, K, strength, noise):
    P = rng.dirichlet(np.full(K, noise), size=len(true))
    P[np.arange(len(true)), true] += strength * rng.random(len(true))
    return to_f32_rows(P)


def random_cover(rng, N, M, low, high):
    """Each item gets between low and high distinct annotators."""
    who = [[] for _ in range(M)]
    for i in range(N):
        for m in rng.choice(M, size=rng.integers(low, high + 1), replace=False):
            who[m].append(i)
    return who


# ============================================================ datasets
def ds_basic():
    rng = np.random.default_rng(17001)
    N, M, K = 400, 5, 4
    true = rng.choice(K, size=N, p=[0.4, 0.3, 0.2, 0.1])
    L = annotate(rng, true, K, [0.9, 0.8, 0.7, 0.6, 0.45], random_cover(rng, N, M, 1, 5))
    return L, model_probs(rng, true, K, strength=1.5, noise=0.8)


def ds_sparse():
    """15 annotators: five prolific ones, eight who labelled 2-10 items, one who labelled only
    items nobody else labelled (no overlap), one who labelled a single item. Class 5 is never
    used by any annotator; about 30% of the items are labelled once."""
    rng = np.random.default_rng(17002)
    N, M, K = 600, 15, 6
    true = rng.choice(5, size=N, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    who = [[] for _ in range(M)]
    single = rng.random(N) < 0.3
    for i in range(N):
        if single[i]:
            who[13 if rng.random() < 0.2 else rng.integers(0, 5)].append(i)
        else:
            for m in rng.choice(5, size=rng.integers(2, 4), replace=False):
                who[m].append(i)
    multi = np.flatnonzero(~single)
    for m in range(5, 13):
        for i in rng.choice(multi, size=rng.integers(2, 11), replace=False):
            who[m].append(int(i))
    who[14].append(int(multi[0]))
    for m in range(M):
        who[m] = sorted(set(who[m]))
    acc = [0.92, 0.85, 0.75, 0.65, 0.55, 0.9, 0.3, 0.8, 0.5, 0.95, 0.7, 0.6, 0.4, 0.85, 0.9]
    L = annotate(rng, true, 5, acc, who)
    return L, model_probs(rng, true, K, strength=1.2, noise=0.6)


def ds_ties():
    """Two annotators per item who disagree half the time, so majority votes tie. Model
    probabilities on a 1/8 grid: some ties are broken by them, some are not (equal
    probabilities) and fall to the class frequencies, and where those are equal too, to the
    annotators' agreement with the untied votes. Posterior ties fall back to majority vote."""
    rng = np.random.default_rng(17003)
    N, M, K = 300, 4, 4
    true = rng.choice(K, size=N)
    who = [[] for _ in range(M)]
    for i in range(N):
        for m in rng.choice(M, size=2 if i % 3 else 3, replace=False):
            who[m].append(i)
    L = annotate(rng, true, K, [0.85, 0.7, 0.6, 0.5], who)
    grid = rng.integers(0, 3, size=(N, K)).astype(np.float64)
    grid[np.arange(N), true] += 2
    grid = np.where(grid.sum(axis=1, keepdims=True) == 0, 1, grid)
    P = grid / grid.sum(axis=1, keepdims=True)
    P = (np.round(P * 8) / 8)
    P = np.where(P.sum(axis=1, keepdims=True) == 0, 0.25, P)
    P = P / P.sum(axis=1, keepdims=True)
    P = P.astype(np.float32)
    # Twenty items tied between classes 2 and 3 with equal probabilities, then items labelled
    # once with 2 or 3 so both classes have the same number of votes: the class frequencies
    # tie too, and the annotators' agreement with the untied votes decides.
    tied = np.full((20, M), np.nan)
    for r in range(20):
        a, b = (0, 1) if r % 2 else (2, 3)
        tied[r, a], tied[r, b] = 2, 3
    P_tied = np.full((20, K), 0.25, dtype=np.float32)
    L = np.vstack([L, tied])
    P = np.vstack([P, P_tied])
    c2, c3 = int(np.sum(L == 2)), int(np.sum(L == 3))
    extra = np.full((abs(c2 - c3), M), np.nan)
    extra[:, 0] = 3 if c2 > c3 else 2
    L = np.vstack([L, extra])
    P = np.vstack([P, np.tile(np.array([[0.1, 0.1, 0.4, 0.4]], dtype=np.float32), (len(extra), 1))])
    counts = [int(np.sum(L == k)) for k in range(K)]
    assert counts[2] == counts[3]
    return L, P, counts


def ds_weak_model():
    """A model barely better than chance and good annotators: the model's weight is clipped."""
    rng = np.random.default_rng(17004)
    N, M, K = 500, 6, 5
    true = rng.choice(K, size=N)
    L = annotate(rng, true, K, [0.95, 0.9, 0.9, 0.85, 0.8, 0.75], random_cover(rng, N, M, 2, 4))
    return L, model_probs(rng, true, K, strength=0.05, noise=2.0)


def ds_strong_model():
    """A model better than every annotator; noisy annotators, many items labelled once."""
    rng = np.random.default_rng(17005)
    N, M, K = 500, 5, 3
    true = rng.choice(K, size=N, p=[0.6, 0.3, 0.1])
    L = annotate(rng, true, K, [0.7, 0.6, 0.6, 0.55, 0.5], random_cover(rng, N, M, 1, 3))
    return L, model_probs(rng, true, K, strength=6.0, noise=0.3)


def ds_large():
    rng = np.random.default_rng(17006)
    N, M, K = 5000, 8, 10
    true = rng.choice(K, size=N, p=rng.dirichlet(np.full(K, 3.0)))
    acc = rng.uniform(0.5, 0.95, M)
    L = annotate(rng, true, K, acc, random_cover(rng, N, M, 1, 5))
    return L, model_probs(rng, true, K, strength=2.0, noise=0.5)


# ============================================================ expected values
def crowdlab(frame, P, warn, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = ma.get_label_quality_multiannotator(frame, P, verbose=False, **kw)
    warn.extend(str(x.message).splitlines()[0] for x in w)
    q = r["label_quality"]
    out = {
        "consensus_label": [int(x) for x in q["consensus_label"]],
        "consensus_quality_score": flist(q["consensus_quality_score"]),
        "annotator_agreement": flist(q["annotator_agreement"]),
        "num_annotations": [int(x) for x in q["num_annotations"]],
        "detailed_label_quality": [flist(row) for row in r["detailed_label_quality"].to_numpy()],
    }
    stats = r["annotator_stats"]
    ids = list(frame.columns)
    out["annotator_stats"] = [
        {"annotator": ids.index(name), "annotator_quality": flist([row["annotator_quality"]])[0],
         "agreement_with_consensus": float(row["agreement_with_consensus"]), "worst_class": int(row["worst_class"]),
         "num_examples_labeled": int(row["num_examples_labeled"])}
        for name, row in stats.iterrows()]
    if "model_weight" in r:
        out["model_weight"] = float(r["model_weight"])
        out["annotator_weight"] = flist(r["annotator_weight"])
    return out


def compute_expected(L, P32, note):
    P = P32.astype(np.float64)
    N, M = L.shape
    frame = pd.DataFrame(L, columns=[f"a{m}" for m in range(M)])
    warn = []
    exp = {"n": int(N), "m": int(M), "k": int(P.shape[1]), "cleanlab_version": cleanlab.__version__,
           "numpy_version": np.__version__, "pandas_version": pd.__version__, "notes": note}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        exp["majority_vote_label"] = [int(x) for x in ma.get_majority_vote_label(frame, P, verbose=False)]
        exp["majority_vote_label_no_model"] = [int(x) for x in ma.get_majority_vote_label(frame, None, verbose=False)]
    random_ties = [str(x.message) for x in w if "random" in str(x.message)]
    assert not random_ties, random_ties  # the fixtures stay away from cleanlab's random tie-break
    exp["crowdlab"] = crowdlab(frame, P, warn, return_weights=True)
    exp["crowdlab_majority_vote"] = crowdlab(frame, P, warn, consensus_method="majority_vote", return_weights=True)
    exp["agreement"] = crowdlab(frame, P, warn, quality_method="agreement")
    exp["warnings"] = sorted(set(warn))
    n_ann = (~np.isnan(L)).sum(axis=1)
    exp["facts"] = {
        "majority_vote_tie_breaks": tie_breaks(L, P),
        "items_labelled_once": int((n_ann == 1).sum()),
        "annotators_labelled_items": [int(x) for x in (~np.isnan(L)).sum(axis=0)],
        "classes_no_annotator_used": [k for k in range(P.shape[1]) if not np.any(L == k)],
    }
    return exp


def tie_breaks(L, P):
    """How many items' majority vote is tied and which of cleanlab's tie-breaks settles it
    (with the model: its probabilities, then class frequencies, then annotator agreement;
    not cleanlab output, a count to show the fixtures exercise each one)."""
    K = P.shape[1]
    counts = np.zeros((len(L), K))
    for m in range(L.shape[1]):
        ok = ~np.isnan(L[:, m])
        counts[np.flatnonzero(ok), L[ok, m].astype(int)] += 1
    frequency = counts.sum(axis=0)
    found = {"tied": 0, "by_model": 0, "by_frequency": 0, "later": 0}
    for i in range(len(L)):
        modes = np.flatnonzero(counts[i] == counts[i].max())
        if len(modes) < 2:
            continue
        found["tied"] += 1
        best = modes[P[i, modes] == P[i, modes].max()]
        if len(best) == 1:
            found["by_model"] += 1
            continue
        rare = best[frequency[best] == frequency[best].min()]
        found["by_frequency" if len(rare) == 1 else "later"] += 1
    return found


def write_dataset(name, L, P32, note):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    P32 = np.ascontiguousarray(P32, dtype=np.float32)
    rows = [[None if np.isnan(x) else int(x) for x in row] for row in L]
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump(rows, f, separators=(",", ":"))
        f.write("\n")
    np.save(os.path.join(out, "pred_probs.npy"), P32)
    exp = compute_expected(L, P32, note)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(exp, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    c = exp["crowdlab"]
    print(name, "N=%d M=%d K=%d" % (L.shape[0], L.shape[1], P32.shape[1]), exp["facts"],
          "model weight %.4f" % c["model_weight"],
          "consensus != majority vote: %d" % sum(a != b for a, b in zip(c["consensus_label"], exp["majority_vote_label"])),
          flush=True)


def main():
    print("cleanlab", cleanlab.__version__, "numpy", np.__version__, "pandas", pd.__version__, flush=True)
    write_dataset("ma_basic", *ds_basic(), "seed 17001; 400 items, 5 annotators (accuracy 0.9 to 0.45), 1-5 each")
    write_dataset("ma_sparse", *ds_sparse(), "seed 17002; 600 items, 15 annotators: five prolific, eight with "
                  "2-10 items, one only on items nobody else labelled, one with a single item; class 5 unused")
    L, P, counts = ds_ties()
    write_dataset("ma_ties", L, P, f"seed 17003; 300 items, 2-3 annotators each, tied votes; model on a 1/8 grid; "
                  f"votes per class {counts}")
    write_dataset("ma_weak_model", *ds_weak_model(), "seed 17004; 500 items, 6 good annotators, a near-chance model")
    write_dataset("ma_strong_model", *ds_strong_model(), "seed 17005; 500 items, 5 noisy annotators, a strong model")
    write_dataset("ma_large", *ds_large(), "seed 17006; 5000 items, 8 annotators, 10 classes")


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
