#!/usr/bin/env python3
"""Exact k nearest neighbours of a sample of items, for measuring the recall of a full
neighbour graph (faiss IndexFlatIP over every item, float32, cosine on unit rows):

    python knn_sample.py --vectors V.npy --queries Q.npy --k 10 --out R.npy

Q.npy holds the sample's item indices (int64); R.npy gets (len(Q), k) int64 ids, each
row its item's k nearest other items, best first. Prints one JSON line with the time.
"""

import argparse
import json
import sys
import time

import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    import faiss

    t0 = time.perf_counter()
    x = np.load(a.vectors, mmap_mode="r")
    q = np.load(a.queries).astype(np.int64)
    index = faiss.IndexFlatIP(x.shape[1])
    chunk = 100_000
    for start in range(0, x.shape[0], chunk):
        block = np.asarray(x[start:start + chunk], dtype=np.float32)
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        index.add(np.ascontiguousarray(block / np.where(norms > 0, norms, 1), dtype=np.float32))
    queries = np.asarray(x[q], dtype=np.float32)
    norms = np.linalg.norm(queries, axis=1, keepdims=True)
    queries = np.ascontiguousarray(queries / np.where(norms > 0, norms, 1), dtype=np.float32)
    _, ids = index.search(queries, a.k + 1)
    is_self = ids == q[:, None]
    keep = ~is_self
    keep[~is_self.any(axis=1), a.k] = False
    np.save(a.out, np.ascontiguousarray(ids[keep].reshape(len(q), a.k), dtype=np.int64))
    print(json.dumps({"seconds": round(time.perf_counter() - t0, 3), "queries": int(len(q)), "faiss_version": faiss.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
