#!/usr/bin/env python3
"""Check the generated sample datasets against the Winnow dataset contract and
print summary figures.  With --determinism, also regenerate with generate.py and
check that the output is byte-identical.

    /tmp/winnow-venv/bin/python SampleProjects/verify.py [--determinism]
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
OUTPUTS = ["shapes", "tiny-imagefolder"]
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp"}


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def check_shapes(root: Path) -> None:
    classes = (root / "classes.txt").read_text(encoding="utf-8").splitlines()
    K = len(classes)
    assert len(set(classes)) == K and all(classes)

    header, items = read_csv(root / "items.csv")
    assert header == ["image", "source", "captured_at", "site"], header
    paths = [r[0] for r in items]
    N = len(paths)
    assert len(set(paths)) == N, "duplicate image rows"
    for p in paths:
        assert unicodedata.is_normalized("NFC", p) and "\\" not in p and not p.startswith("/")
        assert (root / "images" / p).is_file(), p
    on_disk = {q.relative_to(root / "images").as_posix() for q in (root / "images").rglob("*") if q.is_file()}
    assert on_disk == set(paths), "images/ and items.csv disagree"
    exts = Counter(Path(p).suffix for p in paths)
    formula = [r for r in items if r[3].startswith(("=", "+", "-", "@"))]
    assert len(formula) == 1 and formula[0][3].startswith("="), formula
    for r in items:
        assert r[1] in ("camera-a", "camera-b", "phone")
        np.datetime64(r[2], "D")
    for p in paths:                       # every image decodes
        with Image.open(root / "images" / p) as im:
            im.load()
            assert im.size == (96, 96)

    lh, labels = read_csv(root / "labels.csv")
    assert lh == ["image", "label", "annotator"]
    pset = set(paths)
    per_image = defaultdict(list)
    for img, lab, ann in labels:
        assert img in pset, img
        assert lab in classes, lab
        assert ann in ("ann-a", "ann-b")
        per_image[img].append((lab, ann))
    assert set(per_image) == pset, "some image has no label"
    n_double = sum(len(v) == 2 for v in per_image.values())
    assert all(len({a for _, a in v}) == len(v) for v in per_image.values())

    # predictions
    preds = {}
    for f in sorted((root / "predictions").iterdir()):
        if f.suffix == ".npy":
            P = np.load(f, allow_pickle=False)
            assert P.dtype == np.dtype("<f4") and P.shape == (N, K) and P.flags.c_contiguous, (P.dtype, P.shape)
        elif f.suffix == ".csv":
            h, rows = read_csv(f)
            assert h == ["image", *classes], h
            assert [r[0] for r in rows] == paths
            for r in rows:
                assert all(len(v.split(".")[1]) >= 6 for v in r[1:])
            P = np.array([[float(v) for v in r[1:]] for r in rows])
        else:
            raise AssertionError(f"unexpected prediction file {f}")
        assert np.isfinite(P).all() and (P >= 0).all()
        assert np.abs(P.sum(axis=1) - 1).max() <= 1e-3, np.abs(P.sum(axis=1) - 1).max()
        preds[f.stem] = P

    E = np.load(root / "embeddings.npy", allow_pickle=False)
    assert E.dtype == np.dtype("<f4") and E.ndim == 2 and E.shape[0] == N and E.flags.c_contiguous
    assert np.isfinite(E).all()

    gh, gt = read_csv(root / "ground_truth.csv")
    assert gh == ["image", "true_label", "given_label", "is_label_error", "duplicate_group"]
    assert [r[0] for r in gt] == paths
    true = np.array([classes.index(r[1]) for r in gt])
    given = np.array([classes.index(r[2]) for r in gt])
    for r in gt:
        assert r[2] == per_image[r[0]][0][0]          # given = first labels.csv row
        assert r[3] == str(int(r[1] != r[2]))
    groups = defaultdict(list)
    for i, r in enumerate(gt):
        if r[4]:
            groups[r[4]].append(i)
    assert all(len(v) >= 2 for v in groups.values())
    conflict = sum(len({gt[i][2] for i in v}) > 1 for v in groups.values())
    # byte-identical copies
    digests = defaultdict(list)
    for i, p in enumerate(paths):
        digests[hashlib.sha256((root / "images" / p).read_bytes()).hexdigest()].append(i)
    exact = [v for v in digests.values() if len(v) > 1]
    for v in exact:
        assert len({gt[i][4] for i in v}) == 1 and gt[v[0]][4]

    print(f"shapes: N={N} K={K} D={E.shape[1]}  extensions={dict(exts)}")
    print(f"  label rows={len(labels)} doubly-labelled={n_double} "
          f"(disagreeing {sum(len(v) == 2 and v[0][0] != v[1][0] for v in per_image.values())}) "
          f"annotator rows={dict(Counter(a for _, _, a in labels))}")
    print(f"  injected label errors={int((true != given).sum())} ({100 * (true != given).mean():.1f}%) "
          f"duplicate groups={len(groups)} (items in groups={sum(map(len, groups.values()))}, "
          f"byte-identical sets={len(exact)}, groups with conflicting given labels={conflict})")
    print(f"  formula-like site: {formula[0][0]} -> {formula[0][3]!r}")
    for name, P in preds.items():
        pred = P.argmax(1)
        print(f"  model {name}: OOF accuracy vs true={100 * (pred == true).mean():.1f}%  "
              f"vs given={100 * (pred == given).mean():.1f}%")
        cm = np.zeros((K, K), int)
        np.add.at(cm, (true, pred), 1)
        print("    confusion (rows=true, cols=pred; " + " ".join(c[:4] for c in classes) + ")")
        for c, row in zip(classes, cm):
            print(f"    {c:>9} " + " ".join(f"{v:4d}" for v in row))

    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    dup_pairs = [(a, b) for v in groups.values() for i, a in enumerate(v) for b in v[i + 1:]]
    dup = np.array([En[a] @ En[b] for a, b in dup_pairs])
    in_group = {i for v in groups.values() for i in v}
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, N, size=(20000, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    rnd = (En[pairs[:, 0]] * En[pairs[:, 1]]).sum(1)
    same = rnd[true[pairs[:, 0]] == true[pairs[:, 1]]]
    # nearest non-duplicate neighbour of each group member
    S = En @ En.T
    gid = np.full(N, -1)
    for j, v in enumerate(groups.values()):
        gid[v] = j
    S_other = S.copy()
    S_other[gid[:, None] == gid[None, :]] = -np.inf
    np.fill_diagonal(S_other, -np.inf)
    nn_other = S_other[sorted(in_group)].max(axis=1)
    print(f"  cosine near/exact-duplicate pairs: n={len(dup)} mean={dup.mean():.3f} median={np.median(dup):.3f} "
          f"min={dup.min():.3f} share>0.95={100 * (dup > 0.95).mean():.0f}%")
    print(f"  cosine random pairs: mean={rnd.mean():.3f} p99={np.quantile(rnd, 0.99):.3f}; "
          f"same-class random pairs: mean={same.mean():.3f} p99={np.quantile(same, 0.99):.3f}")
    print(f"  most similar non-duplicate of each group member: median={np.median(nn_other):.3f} "
          f"p90={np.quantile(nn_other, 0.9):.3f}")


def check_tiny(root: Path) -> None:
    assert not (root / "items.csv").exists() and not (root / "labels.csv").exists()
    ok, bad = Counter(), []
    for p in sorted((root / "images").rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(root / "images")
        assert len(rel.parts) == 2 and p.suffix in IMAGE_EXTS, rel
        try:
            with Image.open(p) as im:
                im.load()
            ok[rel.parts[0]] += 1
        except Exception as e:          # noqa: BLE001
            bad.append((rel.as_posix(), type(e).__name__))
    assert bad == [("circle/broken.png", bad[0][1])] if bad else False, bad
    print(f"tiny-imagefolder: decodable={dict(ok)} corrupt={bad}")


def main() -> int:
    check_shapes(HERE / "shapes")
    check_tiny(HERE / "tiny-imagefolder")
    total = 0
    for name in OUTPUTS:
        files = [p for p in (HERE / name).rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        total += size
        print(f"{name}: {len(files)} files, {size / 1e6:.2f} MB")
    print(f"total: {total / 1e6:.2f} MB ({total / 2 ** 20:.2f} MiB)")
    assert total < 4_000_000
    if "--determinism" in sys.argv:
        before = {n: tree_hash(HERE / n) for n in OUTPUTS}
        subprocess.run([sys.executable, str(HERE / "generate.py")], check=True, stdout=subprocess.DEVNULL)
        after = {n: tree_hash(HERE / n) for n in OUTPUTS}
        for n in OUTPUTS:
            print(f"determinism {n}: {before[n][:16]} -> {after[n][:16]} "
                  f"{'IDENTICAL' if before[n] == after[n] else 'DIFFERENT'}")
        assert before == after
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
