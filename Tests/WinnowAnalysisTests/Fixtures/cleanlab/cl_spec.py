"""Plain-loop re-statement of the cleanlab 2.9.0 algorithms used by the fixtures.

This is NOT used to produce any expected value. make_fixtures.py runs it next to
cleanlab and records in expected.json["diagnostics"] whether it agrees, as a check
that the written specification (README.md, "Algorithm") is complete.

It is written the way a port (e.g. Swift, computing in Double) would be written:
explicit loops, explicit summation order, explicit tie handling. The only places
where a port has a free choice are the tie orders of sorts; `tie` selects
"stable" (ties by ascending index in an ascending sort) or "reverse" (ties by
descending index), so running both shows whether a result depends on tie order.
"""

import math

FLOATING_POINT_COMPARISON = 1e-6
CLIPPING_LOWER_BOUND = 1e-6
CONFIDENT_THRESHOLDS_LOWER_BOUND = 2e-6
TINY_VALUE = 1e-100
BIG_VALUE = 2.0


# ---------------------------------------------------------------- numerics
def np_pairwise_sum(a, lo=0, n=None):
    """numpy's float64 add.reduce order for a contiguous 1-D run (pairwise_sum)."""
    if n is None:
        n = len(a) - lo
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    if n <= 128:
        r = [a[lo + j] for j in range(8)]
        i = 8
        while i < n - (n % 8):
            for j in range(8):
                r[j] += a[lo + i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return np_pairwise_sum(a, lo, n2) + np_pairwise_sum(a, lo + n2, n - n2)


def np_sum(a):
    """np.sum / np.add.reduce of a contiguous float64 array: 0.0 + pairwise(all)."""
    return 0.0 + np_pairwise_sum(list(a), 0, len(a))


def argsort(values, tie="stable"):
    """Ascending argsort; ties by ascending index ("stable") or descending ("reverse")."""
    idx = list(range(len(values)))
    if tie == "stable":
        return sorted(idx, key=lambda i: (values[i], i))
    return sorted(idx, key=lambda i: (values[i], -i))


def argmax_first(row):
    best = 0
    for j in range(1, len(row)):
        if row[j] > row[best]:
            best = j
    return best


def round_half_even(x):
    return float(round(x))  # Python round() on floats is round-half-to-even


# ---------------------------------------------------------------- count.py
def confident_thresholds(labels, P):
    n, K = len(P), len(P[0])
    out = []
    for k in range(K):
        vals = [P[i][k] for i in range(n) if labels[i] == k]
        t = np_sum(vals) / len(vals) if vals else BIG_VALUE
        out.append(max(t, CONFIDENT_THRESHOLDS_LOWER_BOUND))
    return out


def confident_joint_raw(labels, P, thresholds):
    """Returns (cj before the diagonal fix, off-diagonal indices)."""
    K = len(P[0])
    cj = [[0] * K for _ in range(K)]
    off = []
    cut = [t - 1e-6 for t in thresholds]
    for i, row in enumerate(P):
        conf = [j for j in range(K) if row[j] >= cut[j]]
        if not conf:
            continue
        guess = conf[0] if len(conf) == 1 else argmax_first(row)  # argmax over the WHOLE row
        cj[labels[i]][guess] += 1
        if guess != labels[i]:
            off.append(i)
    return cj, off


def round_preserving_sum(floats, tie):
    ints = [round_half_even(x) for x in floats]
    orig_sum = round_half_even(np_sum(floats))
    int_sum = round_half_even(np_sum(ints))
    while abs(int_sum - orig_sum) > FLOATING_POINT_COMPARISON:
        diff = round_half_even(orig_sum - int_sum)
        inc = -1 if diff < 0 else 1
        changes = min(int(abs(diff)), len(floats))
        order = argsort([f - i for f, i in zip(floats, ints)], tie)
        if inc == 1:
            order = order[::-1]
        for i in order[:changes]:
            ints[i] += inc
        int_sum = round_half_even(np_sum(ints))
    return [int(v) for v in ints]


def calibrate(cj, labels, tie):
    K = len(cj)
    counts = [0] * K
    for l in labels:
        counts[l] += 1
    c1 = []
    for i in range(K):
        rs = max(float(sum(cj[i])), TINY_VALUE)
        c1.append([cj[i][j] / rs * counts[i] for j in range(K)])
    # np.sum over the K x K matrix in MEMORY order: cleanlab's cj is sklearn's
    # confusion_matrix(...).T, i.e. F-contiguous, so this is column-major order.
    total = max(np_sum([c1[i][j] for j in range(K) for i in range(K)]), TINY_VALUE)
    n = sum(counts)
    c2 = [[v / total * n for v in row] for row in c1]
    return [round_preserving_sum(row, tie) for row in c2]


def compute_confident_joint(labels, P, calibrate_=True, tie="stable"):
    t = confident_thresholds(labels, P)
    cj, off = confident_joint_raw(labels, P, t)
    for k in range(len(cj)):
        cj[k][k] = max(cj[k][k], 1)
    if calibrate_:
        cj = calibrate(cj, labels, tie)
    return cj, off


# ---------------------------------------------------------------- filter.py
def keep_at_least_n_per_class(cj, n=1, tie="stable"):
    K = len(cj)
    pcm = [[cj[j][i] for j in range(K)] for i in range(K)]  # transpose
    diag = [pcm[k][k] for k in range(K)]
    new_diag = [max(d, n) for d in diag]
    diff = [new_diag[k] - diag[k] for k in range(K)]
    nnz = [sum(1 for i in range(K) if pcm[i][j] != 0) for j in range(K)]
    per = [max(c - 1.0, 1.0) for c in nnz]
    new = [[max(pcm[i][j] - diff[j] / per[j], 0.0) for j in range(K)] for i in range(K)]
    for k in range(K):
        new[k][k] = float(new_diag[k])
    new = [[float(int(v)) for v in row] for row in new]  # astype(int): truncation
    return [round_preserving_sum(row, tie) for row in new]  # no-op on integers


def reduce_issues_keep_mask(labels, P):
    """True where the example is REMOVED from the issues (prediction ~ given label)."""
    out = []
    for i, row in enumerate(P):
        r = list(row)
        r[labels[i]] = r[labels[i]] + FLOATING_POINT_COMPARISON
        out.append(argmax_first(r) == labels[i])
    return out


def find_label_issues(labels, P, filter_by="prune_by_noise_rate", tie="stable",
                      min_examples_per_class=1):
    n, K = len(P), len(P[0])
    cj, off = compute_confident_joint(labels, P, True, tie)
    mask = [False] * n
    if filter_by in ("prune_by_noise_rate", "prune_by_class", "both"):
        pcm = keep_at_least_n_per_class(cj, min_examples_per_class, tie)
        by_class = [False] * n
        by_noise = [False] * n
        for k in range(K):
            rows = [i for i in range(n) if labels[i] == k]
            if len(rows) <= min_examples_per_class or len(rows) <= 1:
                continue  # (len(mask) > 1 guard in find_label_issues)
            # prune_by_class
            num_issues = len(rows) - pcm[k][k]
            if num_issues >= 1:
                order = argsort([P[i][k] for i in rows], tie)
                for o in order[:num_issues]:
                    by_class[rows[o]] = True
            # prune_by_noise_rate
            for j in range(K):
                num2prune = pcm[j][k]
                if j != k and num2prune > 0:
                    order = argsort([-(P[i][j] - P[i][k]) for i in rows], tie)
                    for o in order[:num2prune]:
                        by_noise[rows[o]] = True
        if filter_by == "prune_by_class":
            mask = by_class
        elif filter_by == "prune_by_noise_rate":
            mask = by_noise
        else:
            mask = [a and b for a, b in zip(by_class, by_noise)]
    elif filter_by == "confident_learning":
        for i in off:
            mask[i] = True
    elif filter_by == "predicted_neq_given":
        mask = [argmax_first(P[i]) != labels[i] for i in range(n)]
    removed = reduce_issues_keep_mask(labels, P)
    return [i for i in range(n) if mask[i] and not removed[i]]


# ---------------------------------------------------------------- rank.py
def self_confidence(labels, P):
    return [P[i][labels[i]] for i in range(len(P))]


def normalized_margin(labels, P):
    out = []
    for i, row in enumerate(P):
        sc = row[labels[i]]
        m = max(row[j] for j in range(len(row)) if j != labels[i])
        out.append((sc - m + 1) / 2)
    return out


def confidence_weighted_entropy(labels, P, log=math.log):
    K = len(P[0])
    logk = log(K)
    out = []
    for i, row in enumerate(P):
        sc = max(row[labels[i]], CLIPPING_LOWER_BOUND)
        terms = [(p * log(p)) if p != 0.0 else 0.0 for p in row]  # scipy xlogy(p, p)
        ent = -np_sum(terms) / logk
        s = ent / sc
        clipped = max(s, CLIPPING_LOWER_BOUND)
        out.append(log(s + 1) / clipped)
    return out


SCORERS = {
    "self_confidence": self_confidence,
    "normalized_margin": normalized_margin,
    "confidence_weighted_entropy": confidence_weighted_entropy,
}


def ranked(labels, P, method, issues, tie="stable"):
    scores = SCORERS[method](labels, P)
    sub = [scores[i] for i in issues]  # issues ascending by index
    return [issues[o] for o in argsort(sub, tie)]


def ensemble_self_confidence(labels, Ps):
    scores = [self_confidence(labels, P) for P in Ps]
    acc = []
    for P in Ps:
        correct = sum(1 for i in range(len(P)) if argmax_first(P[i]) == labels[i])
        acc.append(correct / len(P))
    s = 0
    for a in acc:
        s = s + a  # Python builtin sum, left to right from int 0
    w = [a / s for a in acc]
    out = []
    for i in range(len(labels)):
        acc_i = scores[0][i] * w[0]  # numpy sums this F-ordered axis left to right
        for m in range(1, len(Ps)):
            acc_i += scores[m][i] * w[m]
        out.append(acc_i)
    return out, acc, w
