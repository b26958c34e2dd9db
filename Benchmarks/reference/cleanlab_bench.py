#!/usr/bin/env python3
"""Time cleanlab.filter.find_label_issues on synthetic data.

    /tmp/cleanlab-venv/bin/python cleanlab_bench.py --n 1000000 --k 10 --seed 0 [--out DIR]

Prints one JSON line:
    {"n":..,"k":..,"seed":..,"cleanlab_version":..,"dtype":"float64",
     "seconds_n_jobs_1":..,"seconds_default":..,"default_n_jobs":..,"issues":..,
     "issues_default":..,"seconds_generate":..}

--out DIR writes DIR/labels.npy (int64, (N,)) and DIR/pred_probs.npy (float32, (N,K)) so
another program (e.g. the Swift implementation) can run on exactly the same data.
cleanlab is timed on pred_probs.astype(float64), the float64 copy of the float32 array
that is saved (the same convention as the test fixtures). Use --dtype float32 to time on
the float32 array itself.
"""

import argparse
import json
import multiprocessing
import os
import sys
import time

import numpy as np


def make_synthetic(n, k, seed, noise=0.15):
    """Deterministic noisy-label data: labels int64 (n,), pred_probs float32 (n, k).

    True classes are drawn from a Dirichlet(4) prior over classes. 15% of labels are
    flipped class-conditionally (70% of flips go to class (y+1) % k, the rest uniformly
    to the other classes). Probabilities are a softmax of Gaussian logits with a +2.5
    boost on the true class and +1.0 on its confusable class, logit noise sd 1.2.
    Rows are normalised in float64 and then rounded to float32.
    """
    rng = np.random.default_rng(seed)
    prior = rng.dirichlet(np.full(k, 4.0))
    true = rng.choice(k, size=n, p=prior)
    confusable = (true + 1) % k
    flip = rng.random(n) < noise
    to_confusable = rng.random(n) < 0.7
    if k > 2:
        offset = rng.integers(1, k, size=n)  # uniform over the other k-1 classes
        uniform_other = (true + offset) % k
    else:
        uniform_other = 1 - true
    given = np.where(flip, np.where(to_confusable, confusable, uniform_other), true)
    logits = rng.normal(0.0, 1.2, size=(n, k))
    rows = np.arange(n)
    logits[rows, true] += 3.5
    logits[rows, confusable] += 1.0
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return given.astype(np.int64), p.astype(np.float32)


def save(out, labels, pred_probs):
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "labels.npy"), labels)
    np.save(os.path.join(out, "pred_probs.npy"), pred_probs)


def default_n_jobs():
    """What find_label_issues uses for n_jobs=None (cleanlab/filter.py)."""
    try:
        import psutil  # noqa: F401

        n = psutil.cpu_count(logical=False)
    except ImportError:
        n = None
    return n or multiprocessing.cpu_count()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="also save labels.npy / pred_probs.npy here")
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--no-time", action="store_true", help="only generate (and --out)")
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    labels, pp32 = make_synthetic(a.n, a.k, a.seed)
    t_gen = time.perf_counter() - t0
    if a.out:
        save(a.out, labels, pp32)
    if a.no_time:
        print(json.dumps({"n": a.n, "k": a.k, "seed": a.seed, "out": a.out}))
        return 0

    import cleanlab
    import cleanlab.filter

    pp = pp32.astype(np.float64) if a.dtype == "float64" else pp32

    t0 = time.perf_counter()
    m1 = cleanlab.filter.find_label_issues(labels, pp, n_jobs=1)
    s1 = time.perf_counter() - t0

    t0 = time.perf_counter()
    md = cleanlab.filter.find_label_issues(labels, pp)
    sd = time.perf_counter() - t0

    res = {
        "n": a.n, "k": a.k, "seed": a.seed,
        "cleanlab_version": cleanlab.__version__, "dtype": a.dtype,
        "seconds_n_jobs_1": round(s1, 4), "seconds_default": round(sd, 4),
        "default_n_jobs": default_n_jobs(),
        "issues": int(m1.sum()), "issues_default": int(md.sum()),
        "seconds_generate": round(t_gen, 4),
    }
    print(json.dumps(res))
    return 0 if res["issues"] == res["issues_default"] else 1


if __name__ == "__main__":
    sys.exit(main())
