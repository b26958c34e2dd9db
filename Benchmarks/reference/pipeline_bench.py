#!/usr/bin/env python3
"""The Python pipeline a user would run instead of `winnow import` + `winnow analyze`, on
a dataset folder in Winnow's layout (what `winnow-bench generate` writes):

    python pipeline_bench.py DIR [--k 10] [--threshold 0.95] [--threads T]

  1. read: labels.csv, classes.txt, predictions/*.csv (aligned to labels.csv's images),
     embeddings.npy (rows scaled to unit length);
  2. cleanlab.filter.find_label_issues (prune_by_noise_rate, cleanlab's defaults) on each
     model's probabilities;
  3. faiss IndexFlatIP: every item's k nearest other items (exact);
  4. near-duplicate groups: scipy connected components of the graph whose edges join
     neighbours with similarity >= threshold.
Images are not read (Winnow's import opens each one; see the benchmark's output).
Prints one JSON line: seconds per phase, total, and counts to compare with Winnow's.
"""

import argparse
import glob
import json
import os
import sys
import time


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd
    import faiss
    import cleanlab
    from cleanlab.filter import find_label_issues
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    phases = {"imports": time.perf_counter() - t0}

    t = time.perf_counter()
    root = a.dataset
    classes = [c for c in open(os.path.join(root, "classes.txt")).read().split("\n") if c]
    position = {c: i for i, c in enumerate(classes)}
    labels_table = pd.read_csv(os.path.join(root, "labels.csv"))
    labels = labels_table["label"].map(position).to_numpy()
    models = []
    for path in sorted(glob.glob(os.path.join(root, "predictions", "*.csv"))):
        p = pd.read_csv(path).set_index("image").reindex(labels_table["image"])
        models.append(np.ascontiguousarray(p[classes].to_numpy(dtype=np.float64)))
    x = np.load(os.path.join(root, "embeddings.npy")).astype(np.float32, copy=False)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.ascontiguousarray(x / np.where(norms > 0, norms, 1), dtype=np.float32)
    phases["read"] = time.perf_counter() - t

    t = time.perf_counter()
    issues = [int(find_label_issues(labels, p, filter_by="prune_by_noise_rate").sum()) for p in models]
    phases["cleanlab"] = time.perf_counter() - t

    t = time.perf_counter()
    faiss.omp_set_num_threads(a.threads)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    sims, ids = index.search(x, a.k + 1)
    n = x.shape[0]
    is_self = ids == np.arange(n)[:, None]
    keep = ~is_self
    keep[~is_self.any(axis=1), a.k] = False  # no self among the results: drop the last
    ids = ids[keep].reshape(n, a.k)
    sims = sims[keep].reshape(n, a.k)
    phases["faiss"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = np.repeat(np.arange(n), a.k)
    mask = (sims.ravel() >= a.threshold) & (ids.ravel() >= 0)
    graph = coo_matrix((np.ones(int(mask.sum())), (rows[mask], ids.ravel()[mask])), shape=(n, n))
    count, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)
    phases["components"] = time.perf_counter() - t

    total = time.perf_counter() - t0
    log("  ".join(f"{k} {v:.2f}s" for k, v in phases.items()))
    print(json.dumps({
        "seconds": round(total, 4),
        "phases": {k: round(v, 4) for k, v in phases.items()},
        "items": int(n), "models": len(models), "label_issues": issues,
        "groups": int((sizes > 1).sum()), "grouped_items": int(sizes[sizes > 1].sum()),
        "versions": {"cleanlab": cleanlab.__version__, "faiss": faiss.__version__, "numpy": np.__version__},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
