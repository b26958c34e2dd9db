#!/usr/bin/env python3
"""Time cleanlab.multiannotator.get_label_quality_multiannotator (CROWDLAB) on synthetic data.

    /tmp/venv-multilabel/bin/python crowdlab_bench.py --n 100000 --m 5 --k 10 --seed 0 --out DIR

Prints one JSON line:
    {"n":..,"m":..,"k":..,"seed":..,"cleanlab_version":..,"seconds":..,"seconds_all":[..],
     "seconds_majority_vote":..,"seconds_generate":..,"consensus_differs_from_majority_vote":..}
"seconds" is the median of --repeat timings (all of them in "seconds_all"): the machine is
shared, and one timing of either side says little.

--out DIR writes the data and cleanlab's answers so another program (Winnow) runs on exactly
the same input and can check its results:
    DIR/labels.npy       int32 (N, M): the class annotator m gave item n, -1 where none
    DIR/pred_probs.npy   float32 (N, K)
    DIR/items.npy        float64 (N, 3): consensus label, consensus quality score, annotator agreement
    DIR/annotators.npy   float64 (M, 3): annotator quality (NaN if undefined), agreement with
                         consensus, worst class
cleanlab runs with its defaults (best_quality consensus, crowdlab quality, verbose=False) on
pred_probs.astype(float64).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd


def make_synthetic(n, m, k, seed):
    """Each annotator has an accuracy in [0.55, 0.95]; each item is labelled by 1 to m of them
    (uniformly many, chosen at random); a wrong label is uniform over the other classes. The
    model's probabilities are a softmax of Gaussian logits with +2.5 on the true class."""
    rng = np.random.default_rng(seed)
    prior = rng.dirichlet(np.full(k, 4.0))
    true = rng.choice(k, size=n, p=prior)
    accuracy = rng.uniform(0.55, 0.95, m)
    count = rng.integers(1, m + 1, size=n)
    order = np.argsort(rng.random((n, m)), axis=1)
    labelled = order < count[:, None]
    correct = rng.random((n, m)) < accuracy[None, :]
    wrong = (true[:, None] + rng.integers(1, k, size=(n, m))) % k
    labels = np.where(correct, true[:, None], wrong)
    labels = np.where(labelled, labels, -1).astype(np.int32)
    logits = rng.normal(0.0, 1.2, size=(n, k))
    logits[np.arange(n), true] += 2.5
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return labels, p.astype(np.float32)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--m", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    labels, p32 = make_synthetic(a.n, a.m, a.k, a.seed)
    frame = pd.DataFrame(np.where(labels < 0, np.nan, labels.astype(np.float64)),
                         columns=[f"a{j}" for j in range(a.m)])
    t_gen = time.perf_counter() - t0

    import cleanlab
    import cleanlab.multiannotator as ma

    pp = p32.astype(np.float64)
    timings = []
    for _ in range(max(1, a.repeat)):
        t0 = time.perf_counter()
        result = ma.get_label_quality_multiannotator(frame, pp, verbose=False)
        timings.append(time.perf_counter() - t0)
    seconds = float(np.median(timings))
    t0 = time.perf_counter()
    majority = ma.get_majority_vote_label(frame, pp, verbose=False)
    seconds_mv = time.perf_counter() - t0

    q = result["label_quality"]
    stats = result["annotator_stats"].reindex([f"a{j}" for j in range(a.m)])
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        np.save(os.path.join(a.out, "labels.npy"), labels)
        np.save(os.path.join(a.out, "pred_probs.npy"), p32)
        np.save(os.path.join(a.out, "items.npy"), np.column_stack([
            q["consensus_label"].to_numpy(dtype=np.float64), q["consensus_quality_score"].to_numpy(dtype=np.float64),
            q["annotator_agreement"].to_numpy(dtype=np.float64)]))
        np.save(os.path.join(a.out, "annotators.npy"), np.column_stack([
            stats["annotator_quality"].to_numpy(dtype=np.float64), stats["agreement_with_consensus"].to_numpy(dtype=np.float64),
            stats["worst_class"].to_numpy(dtype=np.float64)]))
    print(json.dumps({"n": a.n, "m": a.m, "k": a.k, "seed": a.seed, "cleanlab_version": cleanlab.__version__,
                      "seconds": round(seconds, 4), "seconds_all": [round(t, 4) for t in timings],
                      "seconds_majority_vote": round(seconds_mv, 4),
                      "seconds_generate": round(t_gen, 3),
                      "consensus_differs_from_majority_vote": int((q["consensus_label"].to_numpy() != majority).sum())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
