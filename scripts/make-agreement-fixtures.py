#!/usr/bin/env python3
"""Writes Tests/WinnowAnalysisTests/Fixtures/agreement/*.json: rating datasets and what
the reference tools compute on them, for WinnowAnalysis.Agreement's tests.

    python3 -m venv /tmp/stats-venv
    /tmp/stats-venv/bin/pip install scikit-learn statsmodels krippendorff numpy
    /tmp/stats-venv/bin/python scripts/make-agreement-fixtures.py

References (versions are recorded in every fixture):
  cohen_pairs       sklearn.metrics.cohen_kappa_score, for every pair of raters, over the
                    items both rated
  fleiss            statsmodels.stats.inter_rater.fleiss_kappa (method "fleiss") on the
                    aggregate_raters table of the items rated by n raters, n the most common
                    number of raters per item among items rated at least twice (ties: larger
                    n), as Winnow does; per_category: fleiss_kappa of that table recoded to
                    "category" / "other" (equal to Fleiss' 1971 kappa_j)
  alpha             krippendorff.alpha(level_of_measurement="nominal") on the raters x items
                    matrix, NaN where a rater did not rate an item
  alpha_per_category  the same on the matrix recoded to "category" / "other"
  consensus         each rater against the majority of the other raters of each item (ties
                    left out), written out here in plain Python; its kappa is
                    cohen_kappa_score(rater, consensus)
  observed_agreement, specific_agreement   plain numpy (pair counting), no reference tool
Undefined results (NaN, or the tool refusing: one category, nothing rated twice) are null.
"""
import json
import os
import sys
import warnings
from collections import Counter
from importlib.metadata import version

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "WinnowAnalysisTests", "Fixtures", "agreement")
TOOLS = {name: version(name) for name in ["scikit-learn", "statsmodels", "krippendorff", "numpy"]}
warnings.simplefilter("ignore")  # undefined coefficients warn; they are recorded as null


def number(x):
    x = float(x)
    return None if np.isnan(x) else x


def guarded(f):
    try:
        return number(f())
    except (ValueError, ZeroDivisionError):
        return None


def analyse(name, ratings, note):
    """ratings: list of (item, rater, category), at most one per (item, rater)."""
    raters = sorted({r for _, r, _ in ratings})
    categories = sorted({c for _, _, c in ratings})
    items = sorted({i for i, _, _ in ratings})
    by_item = {i: {} for i in items}
    for i, r, c in ratings:
        assert r not in by_item[i], "one rating per rater and item"
        by_item[i][r] = c
    code = {c: k for k, c in enumerate(categories)}

    pairs = []
    for a_index, a in enumerate(raters):
        for b in raters[a_index + 1:]:
            shared = [i for i in items if a in by_item[i] and b in by_item[i]]
            if not shared:
                continue
            ya = [by_item[i][a] for i in shared]
            yb = [by_item[i][b] for i in shared]
            pairs.append({"a": a, "b": b, "items": len(shared), "agreed": sum(x == y for x, y in zip(ya, yb)),
                          "kappa": guarded(lambda: cohen_kappa_score(ya, yb))})

    rated_twice = [i for i in items if len(by_item[i]) >= 2]
    fleiss = None
    if rated_twice:
        frequency = Counter(len(by_item[i]) for i in rated_twice)
        n = max(frequency, key=lambda m: (frequency[m], m))
        chosen = [i for i in rated_twice if len(by_item[i]) == n]
        data = np.array([[code[c] for c in by_item[i].values()] for i in chosen])
        table, _ = aggregate_raters(data, n_cat=len(categories))
        per_category = {}
        for j, c in enumerate(categories):
            binary = np.stack([table[:, j], n - table[:, j]], axis=1)
            per_category[c] = guarded(lambda: fleiss_kappa(binary, method="fleiss"))
        fleiss = {"raters_per_item": n, "items": len(chosen), "kappa": guarded(lambda: fleiss_kappa(table, method="fleiss")),
                  "per_category": per_category}

    matrix = np.full((len(raters), len(items)), np.nan)
    for u, i in enumerate(items):
        for r, c in by_item[i].items():
            matrix[raters.index(r), u] = code[c]
    alpha = guarded(lambda: krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
    alpha_per_category = {}
    for j, c in enumerate(categories):
        binary = np.where(np.isnan(matrix), np.nan, (matrix == j).astype(float))
        alpha_per_category[c] = guarded(lambda: krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal"))

    agreeing = pairs_total = 0
    specific_agreeing, specific_involving = Counter(), Counter()
    for i in rated_twice:
        counts = Counter(by_item[i].values())
        m = len(by_item[i])
        pairs_total += m * (m - 1)
        for c, x in counts.items():
            agreeing += x * (x - 1)
            specific_agreeing[c] += x * (x - 1)
            specific_involving[c] += x * (m - 1)
    observed = agreeing / pairs_total if pairs_total else None
    specific = {c: specific_agreeing[c] / specific_involving[c] for c in categories if specific_involving[c]}

    consensus = []
    for r in raters:
        own, others_majority, ties, overlapped = [], [], 0, 0
        for i in rated_twice:
            if r not in by_item[i]:
                continue
            overlapped += 1
            others = Counter(c for rr, c in by_item[i].items() if rr != r)
            top = max(others.values())
            leaders = [c for c, x in others.items() if x == top]
            if len(leaders) > 1:
                ties += 1
                continue
            own.append(by_item[i][r])
            others_majority.append(leaders[0])
        consensus.append({"rater": r, "ratings": sum(r in by_item[i] for i in items), "overlapped": overlapped,
                          "compared": len(own), "agreed": sum(x == y for x, y in zip(own, others_majority)), "ties": ties,
                          "kappa": guarded(lambda: cohen_kappa_score(own, others_majority)) if own else None})

    fixture = {"name": name, "note": note, "tools": TOOLS, "raters": raters, "categories": categories,
               "ratings": [[i, r, c] for i, r, c in ratings], "overlapped_items": len(rated_twice),
               "cohen_pairs": pairs, "fleiss": fleiss, "alpha": alpha, "alpha_per_category": alpha_per_category,
               "observed_agreement": observed, "specific_agreement": specific, "consensus": consensus}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{name}: {len(ratings)} ratings, {len(rated_twice)} overlapped items, alpha {alpha}, fleiss {fleiss and fleiss['kappa']}")


def noisy(rng, truth, categories, accuracy):
    """A rater who gives the true category with probability `accuracy`, else a random other."""
    if rng.random() < accuracy:
        return truth
    return rng.choice([c for c in categories if c != truth])


def shuffled(rng, ratings):
    order = rng.permutation(len(ratings))
    return [ratings[k] for k in order]


def main():
    rng = np.random.default_rng(20260501)
    animals = ["cat", "dog", "fox", "owl"]

    ratings = []
    for item in range(60):
        truth = animals[rng.integers(len(animals))]
        ratings.append((item, "alice", noisy(rng, truth, animals, 0.85)))
        ratings.append((item, "bob", noisy(rng, truth, animals, 0.75)))
    analyse("two_raters", shuffled(rng, ratings), "two raters, every item rated by both")

    shapes = ["circle", "cross", "hexagon", "ring", "square"]
    ratings = []
    for item in range(80):
        truth = shapes[rng.integers(len(shapes))]
        who = ["ann", "ben", "cy"] if rng.random() < 0.5 else list(rng.choice(["ann", "ben", "cy"], size=2, replace=False))
        for r in who:
            ratings.append((item, str(r), noisy(rng, truth, shapes, {"ann": 0.9, "ben": 0.8, "cy": 0.6}[str(r)])))
    analyse("three_raters_missing", shuffled(rng, ratings), "three raters, each item rated by two or three")

    kinds = ["a", "b", "c", "d", "e", "f"]
    people = ["p1", "p2", "p3", "p4", "p5"]
    ratings = []
    for item in range(120):
        truth = kinds[rng.integers(len(kinds))]
        size = int(rng.integers(1, 6))  # 1…5 raters: singly-rated items are not pairable
        for r in rng.choice(people, size=size, replace=False):
            ratings.append((1000 + item * 7, str(r), noisy(rng, truth, kinds, 0.7)))
    analyse("five_raters_missing", shuffled(rng, ratings), "five raters, 1 to 5 ratings per item, ids not contiguous")

    ratings = []
    for item in range(30):
        truth = animals[item % 3]
        for r in ["x", "y", "z"]:
            ratings.append((item, r, truth))
    analyse("perfect", shuffled(rng, ratings), "three raters who always agree, three categories")

    ratings = []
    for item in range(200):
        for r in ["r1", "r2", "r3", "r4"]:
            ratings.append((item, r, animals[rng.integers(len(animals))]))
    analyse("chance", shuffled(rng, ratings), "four raters choosing uniformly at random")

    ratings = []
    for item in range(150):
        truth = "rare" if item % 50 == 0 else ("common" if item % 3 else "usual")
        for r in ["m", "n", "o"]:
            label = truth if rng.random() < 0.9 else ("rare" if rng.random() < 0.1 else "common")
            ratings.append((item, r, label))
    analyse("rare_class", shuffled(rng, ratings), "three raters, one class on 2% of the items")

    ratings = [(item, r, "cat") for item in range(10) for r in ["u", "v", "w"]]
    ratings += [(10, "u", "dog")]
    analyse("single_category", ratings, "every rating of an item rated twice is 'cat' (one singly-rated 'dog')")

    ratings = [(item, "solo", animals[item % 4]) for item in range(12)]
    analyse("one_rater", ratings, "a single rater")

    ratings = [(item, "left" if item % 2 else "right", animals[item % 4]) for item in range(12)]
    analyse("no_overlap", ratings, "two raters who never rated the same item")


if __name__ == "__main__":
    sys.exit(main())
