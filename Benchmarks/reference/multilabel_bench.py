#!/usr/bin/env python3
"""Time cleanlab.multilabel_classification.filter.find_label_issues on synthetic data.

    /tmp/venv-multilabel/bin/python multilabel_bench.py --n 1000000 --k 20 --seed 0 --out DIR

Prints one JSON line:
    {"n":..,"k":..,"seed":..,"cleanlab_version":..,"seconds_n_jobs_1":..,"seconds_default":..,
     "default_n_jobs":..,"issues":..,"issues_default":..,"seconds_ranked":..,"seconds_generate":..}

--out DIR writes the data and cleanlab's answers so another program (Winnow) runs on exactly
the same input and can check it flags the same items:
    DIR/label_offsets.npy  int64 (N+1,): item i's classes are label_classes[offsets[i]:offsets[i+1]]
    DIR/label_classes.npy  int32, ascending within an item
    DIR/pred_probs.npy     float32 (N, K), per-class (sigmoid) probabilities
    DIR/issues.npy         int64, the flagged items (default filter_by), ascending
    DIR/ranked.npy         int64, the same ranked by self_confidence (stable sort)
cleanlab runs on pred_probs.astype(float64), as the test fixtures do.
"""

import argparse
import json
import multiprocessing
import os
import sys
import time

import numpy as np


def make_synthetic(n, k, seed):
    """Deterministic noisy multi-label data. Each class has its own prevalence (1-40%),
    missing-label rate (2-20%) and extra-label rate (0-3%); probabilities are sigmoids of
    logits +-2.5 plus Gaussian noise (sd 1.3), rounded to float32."""
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.01, 0.4, k)
    miss = rng.uniform(0.02, 0.2, k)
    extra = rng.uniform(0.0, 0.03, k)
    truth = rng.random((n, k)) < prevalence
    given = np.where(truth, rng.random((n, k)) >= miss, rng.random((n, k)) < extra)
    logits = np.where(truth, 2.5, -2.5) + rng.normal(0.0, 1.3, (n, k))
    p = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    return given, p


def csr(given):
    rows, cols = np.nonzero(given)  # row-major order: classes ascending within an item
    offsets = np.zeros(given.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=given.shape[0]), out=offsets[1:])
    return offsets, cols.astype(np.int32)


def default_n_jobs():
    try:
        import psutil  # noqa: F401
        n = psutil.cpu_count(logical=False)
    except ImportError:
        n = None
    return n or multiprocessing.cpu_count()


class stable_argsort:
    """np.argsort with kind="stable" (ties to the lower index), as Winnow sorts."""

    def __enter__(self):
        self._orig = np.argsort
        orig = self._orig
        np.argsort = lambda a, axis=-1, kind=None, order=None, **kw: orig(a, axis=axis, kind="stable", order=order, **kw)
        return self

    def __exit__(self, *exc):
        np.argsort = self._orig
        return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--skip-n-jobs-1", action="store_true", help="time only cleanlab's default n_jobs")
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    given, p32 = make_synthetic(a.n, a.k, a.seed)
    offsets, classes = csr(given)
    labels = np.split(classes, offsets[1:-1])
    labels = [row.tolist() for row in labels]  # cleanlab's format: a list of lists
    t_gen = time.perf_counter() - t0

    import cleanlab
    import cleanlab.multilabel_classification.filter as ml_filter

    pp = p32.astype(np.float64)
    res = {"n": a.n, "k": a.k, "seed": a.seed, "cleanlab_version": cleanlab.__version__,
           "default_n_jobs": default_n_jobs(), "seconds_generate": round(t_gen, 3)}
    with stable_argsort():
        t0 = time.perf_counter()
        md = ml_filter.find_label_issues(labels, pp)
        res["seconds_default"] = round(time.perf_counter() - t0, 4)
        res["issues_default"] = int(md.sum())
        if not a.skip_n_jobs_1:
            t0 = time.perf_counter()
            m1 = ml_filter.find_label_issues(labels, pp, n_jobs=1)
            res["seconds_n_jobs_1"] = round(time.perf_counter() - t0, 4)
            res["issues"] = int(m1.sum())
            assert (m1 == md).all()
        t0 = time.perf_counter()
        ranked = ml_filter.find_label_issues(labels, pp, return_indices_ranked_by="self_confidence")
        res["seconds_ranked"] = round(time.perf_counter() - t0, 4)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        np.save(os.path.join(a.out, "label_offsets.npy"), offsets)
        np.save(os.path.join(a.out, "label_classes.npy"), classes)
        np.save(os.path.join(a.out, "pred_probs.npy"), p32)
        np.save(os.path.join(a.out, "issues.npy"), np.flatnonzero(md).astype(np.int64))
        np.save(os.path.join(a.out, "ranked.npy"), np.asarray(ranked, dtype=np.int64))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
