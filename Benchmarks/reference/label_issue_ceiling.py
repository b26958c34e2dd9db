#!/usr/bin/env python3
"""How far a fused label-issue ranking *could* go on the label-issue suite, with weights
chosen by looking at the ground truth: the ceiling of any unsupervised weighting.

    /tmp/cleanlab-venv/bin/python label_issue_ceiling.py SUITE_ROOT [--seeds 0,1,2,3]

SUITE_ROOT holds s<seed>/<dataset>/ folders as `winnow-bench label-issues --suite --seeds ...
--suite-directory SUITE_ROOT` (or label_issue_datasets.py) leaves them. For every dataset it
rebuilds the sources Winnow fuses (each model's probabilities, and the neighbours' label
distribution exactly as Winnow computes it: 10 exact cosine neighbours, similarity-weighted
votes, smoothed by one uniform vote), then tries a fixed family of source weightings (every
source alone, equal weights, 60 Dirichlet draws with a fixed seed) and two score forms on
the weighted mean distribution: self-confidence (what Winnow ranks by) and the normalized
margin. It prints, per dataset, the best precision at K each form reaches minus the best of
cleanlab's rankings and neighbour agreement alone (the issue's bar), and how many datasets
a perfect weighting of each form, or of either form chosen per dataset, would meet.
"""

import argparse
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def load(root):
    classes = open(os.path.join(root, "classes.txt")).read().split()
    index = {c: i for i, c in enumerate(classes)}
    rows = [r.split(",") for r in open(os.path.join(root, "ground_truth.csv")).read().split("\n")[1:] if r]
    given = np.array([index[r[2]] for r in rows])
    truth = np.array([index[r[1]] for r in rows])
    folder = os.path.join(root, "predictions")
    models = [np.load(os.path.join(folder, f)).astype(np.float64) for f in sorted(os.listdir(folder)) if f.endswith(".npy")]
    path = os.path.join(root, "embeddings.npy")
    embeddings = np.load(path).astype(np.float64) if os.path.exists(path) else None
    scores = np.load(os.path.join(root, "cleanlab_scores.npy"))
    return given, truth, len(classes), models, embeddings, scores


def neighbours(embeddings, given, k, count=10):
    """Winnow's neighbour distribution and agreement (exact cosine search, the item excluded)."""
    x = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    n = len(x)
    votes = np.zeros((n, k))
    for start in range(0, n, 2048):
        sims = x[start:start + 2048] @ x.T
        sims[np.arange(sims.shape[0]), start + np.arange(sims.shape[0])] = -np.inf
        ids = np.argpartition(-sims, count, axis=1)[:, :count]
        weights = np.maximum(np.take_along_axis(sims, ids, 1), 0)
        rows = np.repeat(np.arange(start, start + sims.shape[0]), count)
        np.add.at(votes, (rows, given[ids].ravel()), weights.ravel())
    total = votes.sum(1)
    agreement = np.where(total > 0, votes[np.arange(n), given] / np.maximum(total, 1e-300), np.nan)
    return (votes + 1.0 / k) / (total[:, None] + 1.0), agreement


def precision_at_k(quality, is_error):
    """Expected precision at K (K = the number of errors; ties in random order), low quality first."""
    q = np.where(np.isnan(quality), np.inf, quality)
    k = int(is_error.sum())
    order = np.argsort(q, kind="stable")
    ranked, errors = q[order], is_error[order]
    kth = ranked[k - 1]
    below, tied = ranked < kth, ranked == kth
    return (errors[below].sum() + (k - below.sum()) * errors[tied].mean()) / k


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--seeds", default="0,1,2,3")
    args = parser.parse_args(argv)
    met = {"self-confidence": 0, "normalized margin": 0, "either": 0}
    cases = 0
    for seed in [int(s) for s in args.seeds.split(",")]:
        folder = os.path.join(args.root, f"s{seed}")
        for name in sorted(os.listdir(folder)):
            root = os.path.join(folder, name)
            if not os.path.exists(os.path.join(root, "cleanlab_scores.npy")):
                continue
            given, truth, k, models, embeddings, scores = load(root)
            is_error = given != truth
            n = len(given)
            sources = list(models)
            bar = max(precision_at_k(scores[:, j], is_error) for j in range(scores.shape[1]))
            if embeddings is not None:
                distribution, agreement = neighbours(embeddings, given, k)
                sources.append(distribution)
                bar = max(bar, precision_at_k(agreement, is_error))
            s = len(sources)
            rng = np.random.default_rng(0)
            family = [np.eye(s)[i] for i in range(s)] + [np.full(s, 1.0 / s)]
            if s > 1:
                family += list(rng.dirichlet(np.full(s, 0.5), size=60))
            best = {"self-confidence": -1.0, "normalized margin": -1.0}
            for w in family:
                mixed = sum(wi * p for wi, p in zip(w, sources))
                q = mixed[np.arange(n), given]
                other = mixed.copy()
                other[np.arange(n), given] = -1
                best["self-confidence"] = max(best["self-confidence"], precision_at_k(q, is_error))
                best["normalized margin"] = max(best["normalized margin"], precision_at_k(q - other.max(1), is_error))
            cases += 1
            for form, value in best.items():
                met[form] += value >= bar - 1e-12
            met["either"] += max(best.values()) >= bar - 1e-12
            print(f"s{seed} {name:44} bar {bar:.3f}  best weighting: self-confidence {best['self-confidence'] - bar:+.3f}, "
                  f"normalized margin {best['normalized margin'] - bar:+.3f}", flush=True)
    print(f"{cases} datasets; the bar is reachable by some weighting on: " + ", ".join(f"{form} {count}" for form, count in met.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
