#!/usr/bin/env python3
"""Reference k-nearest-neighbour timings with faiss (cosine similarity), for comparison
with the Swift implementation on exactly the same vectors.

    /tmp/cleanlab-venv/bin/python faiss_bench.py --vectors V.npy --k 10 [--method both]
        [--threads T] [--m 16] [--ef-construction 100] [--ef-search 32] [--out DIR]
        [--generate N D --seed S [--noise X]]

Protocol
  * Vectors: float32 (N, D) read from --vectors, or with --generate N D made by
    make_synthetic(N, D, seed, noise) and saved there first (np.save, float32, C order).
  * Rows are scaled to unit length (a zero row stays zero), so inner product = cosine.
  * Every item is a query against the whole set: search k+1 neighbours, then drop the
    item's own id; if it is not among the results (ties with duplicates, zero rows),
    drop the last result instead. Each row then holds k neighbours, best first.
  * flat: IndexFlatIP (exact). flat_seconds times add + search.
  * hnsw: IndexHNSWFlat(D, M, METRIC_INNER_PRODUCT), efConstruction set before add,
    efSearch before search. Build (add) and search are timed separately.
  * hnsw_recall_vs_flat (both methods): mean over items of |hnsw ids & flat ids| / k.
  * faiss.omp_set_num_threads(T); default T = os.cpu_count().
  * --out DIR writes flat_ids.npy / hnsw_ids.npy (int64, N x k) and flat_sims.npy
    (float32, N x k) for the methods run.
Prints one JSON line on stdout (keys of methods not run are omitted):
    {"n","d","k","threads","faiss_version","openblas","flat_seconds","hnsw_build_seconds",
     "hnsw_search_seconds","hnsw_recall_vs_flat"}
  "openblas" is the version and core type ("architecture") of the OpenBLAS faiss loaded,
  from threadpoolctl (set OPENBLAS_CORETYPE in the environment to choose it).
Everything else goes to stderr.
"""

import argparse
import json
import os
import sys
import time

import numpy as np


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def make_synthetic(n, d, seed, noise=1.0, clusters=1000, dup_frac=0.02):
    """Deterministic clustered float32 (n, d) data.

    `clusters` centres ~ N(0, I_d); each point = centre + N(0, s^2 I_d) with a per-cluster
    spread s ~ noise * U(0.3, 0.6) (inter-centre distance ~ sqrt(2d): with noise 1,
    neighbours are mostly within the cluster; with noise 6 the data is nearly isotropic). round(dup_frac * n) rows are near-duplicates: copies of other rows
    plus N(0, 1e-3^2) noise. Rows are shuffled so duplicates are not contiguous.
    """
    rng = np.random.default_rng(seed)
    n_dup = int(round(dup_frac * n))
    n_base = n - n_dup
    c = min(clusters, max(1, n_base))
    centres = rng.standard_normal((c, d))
    spread = noise * rng.uniform(0.3, 0.6, size=c)
    assign = rng.integers(0, c, size=n_base)
    base = centres[assign] + spread[assign, None] * rng.standard_normal((n_base, d))
    src = rng.choice(n_base, size=n_dup, replace=n_dup > n_base)
    dups = base[src] + 1e-3 * rng.standard_normal((n_dup, d))
    x = np.concatenate([base, dups])[rng.permutation(n)]
    return np.ascontiguousarray(x, dtype=np.float32)


def normalise(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x / np.where(norms > 0, norms, 1), dtype=np.float32)


def drop_self(ids, sims):
    """(N, k+1) -> (N, k): remove each row's own id, else its last column."""
    n, k1 = ids.shape
    is_self = ids == np.arange(n)[:, None]
    pos = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k1 - 1)
    keep = np.ones_like(is_self)
    keep[np.arange(n), pos] = False
    return ids[keep].reshape(n, k1 - 1), sims[keep].reshape(n, k1 - 1)


def openblas_description():
    """The OpenBLAS faiss loaded: version and the core type it runs."""
    try:
        from threadpoolctl import threadpool_info
        blas = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
        faiss_blas = [i for i in blas if "faiss" in i.get("filepath", "")] or blas
        if faiss_blas:
            i = faiss_blas[0]
            return f"{i.get('version')} {i.get('architecture')}"
    except Exception as e:  # the benchmark still runs without it
        log(f"threadpoolctl: {e}")
    return "unknown"


def recall(approx, exact):
    """Mean fraction of each row of `exact` found in the same row of `approx`."""
    hits = (approx[:, :, None] == exact[:, None, :]).any(axis=1)
    return float(hits.mean())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", required=True, help=".npy to read (or write with --generate)")
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--method", choices=["flat", "hnsw", "both"], default="both")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=100)
    ap.add_argument("--ef-search", type=int, default=32)
    ap.add_argument("--out", default=None, help="save *_ids.npy / flat_sims.npy here")
    ap.add_argument("--generate", type=int, nargs=2, metavar=("N", "D"), default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--noise", type=float, default=1.0)
    a = ap.parse_args(argv)

    import faiss

    if a.generate:
        t0 = time.perf_counter()
        x = make_synthetic(*a.generate, a.seed, a.noise)
        np.save(a.vectors, x)
        log(f"generated {x.shape} seed={a.seed} -> {a.vectors} ({time.perf_counter() - t0:.2f}s)")
    x = np.load(a.vectors)
    if x.ndim != 2:
        sys.exit(f"expected a 2-D array, got shape {x.shape}")
    x = normalise(x.astype(np.float32, copy=False))
    n, d = x.shape
    faiss.omp_set_num_threads(a.threads)
    res = {"n": n, "d": d, "k": a.k, "threads": a.threads, "faiss_version": faiss.__version__,
           "openblas": openblas_description()}
    out = {}

    if a.method in ("flat", "both"):
        t0 = time.perf_counter()
        index = faiss.IndexFlatIP(d)
        index.add(x)
        sims, ids = index.search(x, a.k + 1)
        res["flat_seconds"] = round(time.perf_counter() - t0, 4)
        out["flat_ids"], out["flat_sims"] = drop_self(ids, sims)
        log(f"flat: {res['flat_seconds']}s")
        del index

    if a.method in ("hnsw", "both"):
        index = faiss.IndexHNSWFlat(d, a.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = a.ef_construction
        t0 = time.perf_counter()
        index.add(x)
        res["hnsw_build_seconds"] = round(time.perf_counter() - t0, 4)
        index.hnsw.efSearch = a.ef_search
        t0 = time.perf_counter()
        sims, ids = index.search(x, a.k + 1)
        res["hnsw_search_seconds"] = round(time.perf_counter() - t0, 4)
        out["hnsw_ids"], _ = drop_self(ids, sims)
        log(f"hnsw: build {res['hnsw_build_seconds']}s search {res['hnsw_search_seconds']}s")

    if "flat_ids" in out and "hnsw_ids" in out:
        res["hnsw_recall_vs_flat"] = round(recall(out["hnsw_ids"], out["flat_ids"]), 6)

    if a.out:
        os.makedirs(a.out, exist_ok=True)
        for name, arr in out.items():
            dtype = np.float32 if name.endswith("sims") else np.int64
            np.save(os.path.join(a.out, name + ".npy"), np.ascontiguousarray(arr, dtype=dtype))
        log(f"saved {sorted(out)} -> {a.out}")

    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
