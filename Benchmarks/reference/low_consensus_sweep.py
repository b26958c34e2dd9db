#!/usr/bin/env python3
"""How well the low-consensus queue ([queues] low_consensus, default 0.5) finds wrong
consensus labels, over varied synthetic crowds: classes, annotators, their accuracy,
labels per item and the model's quality. Winnow's CROWDLAB equals cleanlab's bit for bit
(Tests/WinnowAnalysisTests/Fixtures/multiannotator), so this runs cleanlab directly.

    /tmp/venv-multilabel/bin/python low_consensus_sweep.py [--n 3000] [--thresholds 0.3,0.5,0.7]

For each setting and threshold it prints, over the items labelled by two or more
annotators: how many consensus labels are wrong, the queue's share of those items, its
precision (wrong among queued) and recall (queued among wrong), and the precision at K of
its order (K = the wrong consensus labels); then the worst case.
"""

import argparse
import itertools
import sys
import warnings

import numpy as np
import pandas as pd


def crowd(rng, n, m, k, accuracy, per_item, model_strength):
    true = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 3.0)))
    acc = rng.uniform(*accuracy, size=m)
    labels = np.full((n, m), np.nan)
    for i in range(n):
        for a in rng.choice(m, size=rng.integers(per_item[0], per_item[1] + 1), replace=False):
            labels[i, a] = true[i] if rng.random() < acc[a] else (true[i] + rng.integers(1, k)) % k
    logits = rng.normal(0.0, 1.0, size=(n, k))
    logits[np.arange(n), true] += model_strength
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return true, labels, (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--thresholds", default="0.3,0.5,0.7")
    a = ap.parse_args(argv)
    thresholds = [float(t) for t in a.thresholds.split(",")]
    import cleanlab.multiannotator as ma
    warnings.simplefilter("ignore")
    grid = itertools.product([3, 10, 30], [3, 6, 12], [(0.5, 0.7), (0.6, 0.95), (0.85, 0.98)], [(1, 3), (2, 5)], [0.5, 2.0, 5.0])
    rows = []
    for seed, (k, m, accuracy, per_item, strength) in enumerate(grid):
        if per_item[1] > m:
            continue
        rng = np.random.default_rng(seed)
        true, labels, p = crowd(rng, a.n, m, k, accuracy, per_item, strength)
        frame = pd.DataFrame(labels, columns=[f"a{j}" for j in range(m)])
        r = ma.get_label_quality_multiannotator(frame, p.astype(np.float64), verbose=False)["label_quality"]
        several = r["num_annotations"].to_numpy() > 1
        wrong = (r["consensus_label"].to_numpy() != true) & several
        quality = r["consensus_quality_score"].to_numpy()
        # The queue's order, whatever its threshold: precision at K (K = the wrong consensus
        # labels) of the multi-annotated items sorted by quality, lowest first.
        order = np.flatnonzero(several)[np.argsort(quality[several], kind="stable")]
        at_k = wrong[order[:wrong.sum()]].mean() if wrong.sum() else float("nan")
        for t in thresholds:
            queued = several & (quality < t)
            rows.append({"k": k, "m": m, "accuracy": accuracy, "per_item": per_item, "model": strength, "threshold": t,
                         "wrong_share": wrong.sum() / max(several.sum(), 1), "queue_share": queued.sum() / max(several.sum(), 1),
                         "precision": (wrong & queued).sum() / queued.sum() if queued.sum() else float("nan"),
                         "recall": (wrong & queued).sum() / wrong.sum() if wrong.sum() else float("nan"),
                         "precision_at_k": at_k})
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 1000)
    print(table.to_string(float_format=lambda x: f"{x:.3f}"))
    print("\nworst case over the settings (precision / recall ignore settings where they are undefined):")
    for t, group in table.groupby("threshold"):
        print(f"  threshold {t}: precision min {group['precision'].min():.3f} (median {group['precision'].median():.3f}), "
              f"recall min {group['recall'].min():.3f} (median {group['recall'].median():.3f}), "
              f"queue share max {group['queue_share'].max():.3f}, wrong share max {group['wrong_share'].max():.3f}")
    enough = table[(table["threshold"] == thresholds[0]) & (table["wrong_share"] >= 0.02)]
    print(f"  ranking (any threshold), settings with >= 2% wrong consensus labels: precision at K min "
          f"{enough['precision_at_k'].min():.3f}, median {enough['precision_at_k'].median():.3f}, over {len(enough)} settings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
