#!/usr/bin/env python3
"""The reference for `winnow-bench helper`: scikit-learn's LogisticRegression +
cross_val_predict on the features and labels Winnow trained on, in the same run.

    /tmp/venv-helpermodel/bin/python helper_bench.py --features X.npy --labels y.npy \
        --folds 5 [--C 1.0] [--seed 0]

X.npy is the float32 (n, d) feature matrix, y.npy the int32 labels. The features are
standardised once over all items (StandardScaler), as Winnow does; the folds are
StratifiedKFold(shuffle=True). LogisticRegression keeps its defaults (lbfgs, tol 1e-4,
max_iter 100) apart from C. Only cross_val_predict is timed.

Prints one JSON line: {"seconds":..,"log_loss":..,"accuracy":..,"sklearn":..,
"threads":..,"blas":..,"load_before":..,"load_after":..,"converged_warnings":..}
"""
import argparse
import json
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    x = np.load(args.features)
    y = np.load(args.labels).ravel().astype(np.int64)
    x = StandardScaler().fit_transform(x)
    load_before = os.getloadavg()[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        p = cross_val_predict(LogisticRegression(C=args.C), x, y,
                              cv=StratifiedKFold(args.folds, shuffle=True, random_state=args.seed),
                              method="predict_proba")
        seconds = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    n = len(y)
    log_loss = float(-np.mean(np.log(np.clip(p[np.arange(n), y], 1e-15, 1))))
    blas = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} threads {i.get('num_threads')}"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    print(json.dumps({
        "seconds": seconds, "log_loss": log_loss, "accuracy": float(np.mean(p.argmax(1) == y)),
        "sklearn": sklearn.__version__, "blas": "; ".join(blas), "load_before": load_before, "load_after": load_after,
        "convergence_warnings": sum(1 for w in caught if issubclass(w.category, ConvergenceWarning)),
    }))


if __name__ == "__main__":
    main()
