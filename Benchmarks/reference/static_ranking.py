#!/usr/bin/env python3
"""cleanlab's static ranking of a dataset's items, for `winnow-bench review-yield` (the
order a reviewer would work through with cleanlab alone), and Datalab's label issues from
the features alone, for `winnow-bench helper-quality`.

    python static_ranking.py --labels labels.npy --out order.npy \
        [--pred-probs m1.npy m2.npy ...] [--features X.npy] [--seed 0] [--datalab]

labels.npy: float32 (n, 1) class indices (-1: no label, left out). With --pred-probs (the
dataset's own models' out-of-fold probabilities, rows in items order) the label quality is
cleanlab's self-confidence (one model) or its ensemble score (several). Without, the
probabilities are what cleanlab's documentation recommends for features: scikit-learn's
LogisticRegression with cross_val_predict (5 stratified folds) on the standardised
features. The order is cleanlab's `find_label_issues(..., return_indices_ranked_by=
"self_confidence")` (the ensemble's mean probabilities with several models), then every
other labelled item by its label quality, lowest first.

--datalab instead ranks by Datalab's label issue score computed from the features only
(`Datalab.find_issues(features=X, issue_types={"label": {}})`: probabilities derived from
a k-nearest-neighbour graph of the features), lowest score first.

Writes order.npy (int64 item indices) and prints one JSON line with timings.
"""
import argparse
import json
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--pred-probs", nargs="*", default=[])
    parser.add_argument("--features")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datalab", action="store_true")
    args = parser.parse_args()
    labels_all = np.load(args.labels).ravel().astype(np.int64)
    labelled = np.flatnonzero(labels_all >= 0)
    labels = labels_all[labelled]
    start = time.perf_counter()
    if args.datalab:
        import pandas as pd
        from cleanlab import Datalab
        features = np.load(args.features)[labelled].astype(np.float32)
        lab = Datalab(data=pd.DataFrame({"label": labels}), label_name="label", verbosity=0)
        lab.find_issues(features=features, issue_types={"label": {}})
        score = lab.get_issues("label")["label_score"].to_numpy()
        order = labelled[np.argsort(score, kind="stable")]
    else:
        from cleanlab.filter import find_label_issues
        from cleanlab.rank import get_label_quality_ensemble_scores, get_label_quality_scores
        if args.pred_probs:
            models = [np.load(p)[labelled].astype(np.float64) for p in args.pred_probs]
        else:
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import StratifiedKFold, cross_val_predict
            from sklearn.preprocessing import StandardScaler
            x = StandardScaler().fit_transform(np.load(args.features)[labelled].astype(np.float64))
            k = int(labels_all.max()) + 1
            p = cross_val_predict(LogisticRegression(), x, labels, cv=StratifiedKFold(5, shuffle=True, random_state=args.seed),
                                  method="predict_proba")
            full = np.zeros((len(labels), k))
            full[:, np.unique(labels)] = p
            models = [full]
        for m in models:
            m /= m.sum(1, keepdims=True)
        if len(models) == 1:
            quality = get_label_quality_scores(labels, models[0], method="self_confidence")
            pred_probs = models[0]
        else:
            quality = get_label_quality_ensemble_scores(labels, models)
            pred_probs = np.mean(models, axis=0)
        flagged = find_label_issues(labels, pred_probs, return_indices_ranked_by="self_confidence")
        rest = np.setdiff1d(np.arange(len(labels)), flagged)
        rest = rest[np.argsort(quality[rest], kind="stable")]
        order = labelled[np.concatenate([flagged, rest])]
    seconds = time.perf_counter() - start
    np.save(args.out, order.astype(np.int64))
    print(json.dumps({"seconds": seconds, "items": int(len(order))}))


if __name__ == "__main__":
    main()
