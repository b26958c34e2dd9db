#!/usr/bin/env python3
"""Generate a dataset with known near-duplicate copies and run cleanlab Datalab's
`near_duplicate` check on it, for `winnow-bench duplicates`.

    /tmp/venv-neardup/bin/python duplicates_bench.py --out DIR --kind digits \
        --regime weak --seed 1 --copy-rate 0.1 --classes 10 --sources 800

Writes a Winnow dataset into DIR:
    images/NNNNN.{png,jpg,webp}   sources and their copies, shuffled
    labels.csv                    image,label (copies of one source may carry another label)
    embeddings.npy                float32 N×D, rows in items order (items.csv)
    items.csv                     image (defines the row order)
    ground_truth.csv              image,source,duplicate_group,true_label,given_label
and prints one JSON line: Datalab's near-duplicate pairs on the embeddings
("datalab_embeddings") and on the raw pixels ("datalab_pixels": what a user without
embeddings would give it: each image as 32×32 grey levels), with the versions used.

Image kinds (what the pictures look like):
    digits    scikit-learn's bundled handwritten digits (8×8, 16 grey levels), scaled up:
              low-information images where different images of a digit look alike
    sketches  black strokes on white (circles, polygons, zigzags, spirals): mostly blank
    shapes    filled shapes in colour on gradient, cloudy or striped backgrounds
    scenes    landscape-like pictures that fill the frame (sky, ground, soft light,
              objects, grain): no blank background at all

Embedding regimes (what embeddings.npy is):
    clusters  well-separated class clusters; each picture its own direction inside its
              class; a copy's vector is its source's plus a little noise
    weak      PCA of the pixels (16×16 grey levels of each file as written): same-class
              non-duplicates are very similar and a shifted copy may be far from its source
    noisy     class clusters with much per-file noise: copies are only somewhat closer
              to each other than to other pictures of their class

A copy is its source after 1–3 of: resizing (0.6–1.6×, aspect kept), a crop or shift of
up to an eighth of each side, a brightness and contrast change; always re-encoded
(JPEG 60–95, PNG or WebP 70–95). A share of copy groups gets a conflicting label.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import csv
import io
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------

def digit_sources(rng, n, classes):
    from sklearn.datasets import load_digits
    digits = load_digits()
    keep = np.flatnonzero(digits.target < classes)
    chosen = rng.choice(keep, size=min(n, len(keep)), replace=False)
    images, labels = [], []
    for index in chosen:
        grey = (digits.images[index] / 16.0 * 255.0).astype(np.uint8)
        side = int(rng.integers(28, 41))
        img = Image.fromarray(grey, "L").resize((side, side), Image.BILINEAR)
        if rng.random() < 0.5:  # dark on light half of the time
            img = Image.fromarray(255 - np.asarray(img), "L")
        images.append(img.convert("RGB"))
        labels.append(int(digits.target[index]))
    return images, labels


SKETCH_KINDS = ["circle", "square", "triangle", "star", "cross", "zigzag", "spiral", "house",
                "arrow", "wave", "pentagon", "heart"]


def sketch(kind, rng, side=64):
    img = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(img)
    cx, cy = rng.uniform(0.35, 0.65, size=2) * side
    r = rng.uniform(0.18, 0.32) * side
    rot = rng.uniform(0, 2 * math.pi)
    width = int(rng.integers(1, 4))

    def pts(unit):
        out = []
        for x, y in unit:
            xr = x * math.cos(rot) - y * math.sin(rot)
            yr = x * math.sin(rot) + y * math.cos(rot)
            out.append((cx + r * xr, cy + r * yr))
        return out

    def wobbly(points, closed=False):
        # A hand's stroke: each segment cut into pieces and the pen drifting off the ideal
        # line (a smoothed random walk), so no two sketches are the same picture shifted.
        if closed:
            points = points + [points[0]]
        dense = []
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            for t in range(8):
                dense.append((x0 + (x1 - x0) * t / 8, y0 + (y1 - y0) * t / 8))
        dense.append(points[-1])
        drift = np.cumsum(rng.normal(0, 0.012 * side, size=(len(dense), 2)), axis=0)
        drift = np.apply_along_axis(lambda v: np.convolve(v, np.ones(5) / 5, mode="same"), 0, drift)
        return [(x + dx, y + dy) for (x, y), (dx, dy) in zip(dense, drift)]

    def regular(k, phase=0.0, radius=1.0):
        return [(radius * math.cos(phase + 2 * math.pi * i / k), radius * math.sin(phase + 2 * math.pi * i / k)) for i in range(k)]

    if kind == "circle":
        draw.line(wobbly(pts(regular(24)), closed=True), fill=0, width=width)
    elif kind in ("square", "triangle", "pentagon"):
        k = {"square": 4, "triangle": 3, "pentagon": 5}[kind]
        p = pts(regular(k))
        draw.line(wobbly(p, closed=True), fill=0, width=width)
    elif kind == "star":
        unit = []
        for i in range(10):
            rad = 1.0 if i % 2 == 0 else 0.45
            unit.append((rad * math.cos(math.pi * i / 5), rad * math.sin(math.pi * i / 5)))
        p = pts(unit)
        draw.line(wobbly(p, closed=True), fill=0, width=width)
    elif kind == "cross":
        draw.line(wobbly(pts([(-1, 0), (1, 0)])), fill=0, width=width + 1)
        draw.line(wobbly(pts([(0, -1), (0, 1)])), fill=0, width=width + 1)
    elif kind == "zigzag":
        n = int(rng.integers(3, 7))
        draw.line(wobbly(pts([(-1 + 2 * i / n, 0.5 if i % 2 else -0.5) for i in range(n + 1)])), fill=0, width=width)
    elif kind == "spiral":
        turns = rng.uniform(1.5, 3)
        draw.line(wobbly(pts([(t / 60 * math.cos(t / 60 * turns * 2 * math.pi), t / 60 * math.sin(t / 60 * turns * 2 * math.pi)) for t in range(61)])), fill=0, width=width)
    elif kind == "house":
        p = pts([(-0.7, 1), (-0.7, -0.1), (0, -1), (0.7, -0.1), (0.7, 1)])
        draw.line(wobbly(p, closed=True), fill=0, width=width)
    elif kind == "arrow":
        draw.line(wobbly(pts([(-1, 0), (1, 0)])), fill=0, width=width)
        draw.line(wobbly(pts([(0.5, -0.4), (1, 0), (0.5, 0.4)])), fill=0, width=width)
    elif kind == "wave":
        phase = rng.uniform(0, 6.3)
        draw.line(wobbly(pts([(-1 + t / 30, 0.4 * math.sin(phase + t / 30 * 2 * math.pi)) for t in range(61)])), fill=0, width=width)
    else:  # heart
        draw.line(wobbly(pts([(16 * math.sin(t) ** 3 / 17, -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)) / 17)
                       for t in np.linspace(0, 2 * math.pi, 60)])), fill=0, width=width)
    return img.convert("RGB")


def sketch_sources(rng, n, classes):
    kinds = SKETCH_KINDS[:classes]
    labels = [int(rng.integers(0, len(kinds))) for _ in range(n)]
    return [sketch(kinds[c], rng) for c in labels], labels


def colour(rng):
    return tuple(int(v) for v in rng.integers(0, 256, size=3))


def shape_image(kind, rng, side=96):
    yy, xx = np.mgrid[0:side, 0:side] / (side - 1)
    c1, c2 = np.array(colour(rng), float), np.array(colour(rng), float)
    style = rng.integers(0, 3)
    if style == 0:
        a = rng.uniform(0, 2 * math.pi)
        t = np.cos(a) * xx + np.sin(a) * yy
        t = (t - t.min()) / (np.ptp(t) + 1e-9)
    elif style == 1:
        g = int(rng.integers(3, 8))
        small = rng.uniform(0, 255, size=(g, g)).astype(np.uint8)
        t = np.asarray(Image.fromarray(small, "L").resize((side, side), Image.BICUBIC), float) / 255.0
    else:
        a, f = rng.uniform(0, math.pi), rng.uniform(2, 8)
        t = 0.5 + 0.5 * np.sin(2 * math.pi * f * (np.cos(a) * xx + np.sin(a) * yy))
    background = c1[None, None] * (1 - t[..., None]) + c2[None, None] * t[..., None]
    img = Image.fromarray(background.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    cx, cy = rng.uniform(0.3, 0.7, size=2) * side
    r = rng.uniform(0.15, 0.3) * side
    rot = rng.uniform(0, 2 * math.pi)
    k = 3 + kind  # polygons with 3, 4, … corners; kind 0 is a triangle
    p = [(cx + r * math.cos(rot + 2 * math.pi * i / k), cy + r * math.sin(rot + 2 * math.pi * i / k)) for i in range(k)]
    draw.polygon(p, fill=colour(rng))
    for _ in range(int(rng.integers(0, 3))):  # clutter
        x, y = rng.uniform(0, side, size=2)
        s = rng.uniform(3, 10)
        draw.ellipse([x - s, y - s, x + s, y + s], fill=colour(rng))
    return img


def shape_sources(rng, n, classes):
    labels = [int(rng.integers(0, classes)) for _ in range(n)]
    return [shape_image(c, rng) for c in labels], labels


def scene_image(kind, rng, width=120, height=90):
    """A landscape-like picture that fills the frame: sky over ground split at a horizon,
    soft light blobs, a few objects (trunks, boxes, discs) and film grain. `kind` sets the
    horizon's height and the palette family (the class)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(float)
    horizon = height * (0.3 + 0.4 * ((kind * 0.37) % 1.0)) + rng.normal(0, 4)
    tilt = rng.uniform(-0.25, 0.25)
    base = np.array([(kind * 71) % 256, (kind * 131 + 60) % 256, (kind * 199 + 120) % 256], float)
    sky = np.clip(base + rng.normal(0, 35, size=3), 0, 255)
    ground = np.clip(255 - base + rng.normal(0, 35, size=3), 0, 255)
    below = (yy - horizon - tilt * (xx - width / 2)) > 0
    img = np.where(below[..., None], ground[None, None], sky[None, None]).astype(float)
    img += (yy / height)[..., None] * rng.normal(0, 30, size=3)[None, None]
    for _ in range(int(rng.integers(2, 6))):  # soft light and shade
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(6, 30)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img += blob[..., None] * rng.normal(0, 50, size=3)[None, None]
    picture = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(int(rng.integers(2, 7))):
        x, y = rng.uniform(0, width), rng.uniform(horizon - 25, horizon + 10)
        w, h = rng.uniform(3, 20), rng.uniform(5, 40)
        shape = rng.integers(0, 3)
        if shape == 0:
            draw.rectangle([x, y, x + w, y + h], fill=colour(rng))
        elif shape == 1:
            draw.ellipse([x, y, x + w, y + w], fill=colour(rng))
        else:
            draw.line([(x, y), (x + rng.normal(0, 8), y + h)], fill=colour(rng), width=int(rng.integers(1, 4)))
    grain = rng.normal(0, 6, size=(height, width, 1))
    return Image.fromarray(np.clip(np.asarray(picture, float) + grain, 0, 255).astype(np.uint8), "RGB")


def scene_sources(rng, n, classes):
    labels = [int(rng.integers(0, classes)) for _ in range(n)]
    return [scene_image(c, rng) for c in labels], labels


# --------------------------------------------------------------------------
# Copies
# --------------------------------------------------------------------------

def encode(img, rng):
    fmt = rng.choice(["jpg", "png", "webp"], p=[0.45, 0.35, 0.2])
    buffer = io.BytesIO()
    if fmt == "jpg":
        img.save(buffer, "JPEG", quality=int(rng.integers(60, 96)))
    elif fmt == "webp":
        img.save(buffer, "WEBP", quality=int(rng.integers(70, 96)))
    else:
        img.save(buffer, "PNG")
    return str(fmt), buffer.getvalue()


def copy_of(src, rng, transforms):
    img = src
    steps = rng.permutation(["resize", "crop", "tone"])[: int(rng.integers(1, 4))]
    most = 1 / 8 if transforms == "full" else 1 / 32
    for step in steps:
        w, h = img.size
        if step == "resize":
            s = rng.uniform(0.6, 1.6)
            img = img.resize((max(8, round(w * s)), max(8, round(h * s))), Image.BILINEAR)
        elif step == "crop":
            # Remove up to an eighth of each side in all (a crop), or move the picture by up
            # to an eighth (a shift: crop on one side, the edge repeated on the other).
            fx, fy = rng.uniform(0, most, size=2)
            dx, dy = round(fx * w), round(fy * h)
            if rng.random() < 0.5:
                lx, ly = int(rng.integers(0, dx + 1)), int(rng.integers(0, dy + 1))
                img = img.crop((lx, ly, w - (dx - lx), h - (dy - ly)))
            else:
                a = np.asarray(img)
                sx, sy = dx * (1 if rng.random() < 0.5 else -1), dy * (1 if rng.random() < 0.5 else -1)
                a = np.pad(a, ((abs(sy), abs(sy)), (abs(sx), abs(sx)), (0, 0)), mode="edge")
                y0, x0 = abs(sy) - sy, abs(sx) - sx
                img = Image.fromarray(np.ascontiguousarray(a[y0:y0 + h, x0:x0 + w]), "RGB")
        else:
            a = np.asarray(img, float)
            gain, contrast = rng.uniform(0.75, 1.25), rng.uniform(0.75, 1.3)
            mean = a.mean()
            a = ((a - mean) * contrast + mean) * gain
            img = Image.fromarray(a.clip(0, 255).astype(np.uint8), "RGB")
    return img


# --------------------------------------------------------------------------
# Embeddings
# --------------------------------------------------------------------------

def grey_pixels(files, side):
    rows = []
    for data in files:
        img = Image.open(io.BytesIO(data)).convert("L").resize((side, side), Image.BILINEAR)
        rows.append(np.asarray(img, np.float32).ravel() / 255.0)
    return np.stack(rows)


def unit(rng, n, d):
    v = rng.normal(size=(n, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def class_embeddings(regime, rng, true_labels, source_of, n_files, classes, dimension=64):
    centres = unit(rng, classes, dimension)
    pictures = unit(rng, max(source_of) + 1, dimension)
    noise = unit(rng, n_files, dimension)
    spread, jitter = (0.6, 0.06) if regime == "clusters" else (0.6, 0.45)
    v = np.stack([centres[true_labels[i]] + spread * pictures[source_of[i]] + jitter * noise[i] for i in range(n_files)])
    return v.astype(np.float32)


# --------------------------------------------------------------------------
# Datalab
# --------------------------------------------------------------------------

def datalab_pairs(features, labels, names):
    from cleanlab import Datalab
    lab = Datalab(data={"label": labels}, label_name="label", verbosity=0)
    start = time.perf_counter()
    lab.find_issues(features=features, issue_types={"near_duplicate": {}})
    seconds = time.perf_counter() - start
    info = lab.get_info("near_duplicate")
    pairs = set()
    for i, near in enumerate(info["near_duplicate_sets"]):
        for j in near:
            j = int(j)
            if j != i:
                pairs.add((names[min(i, j)], names[max(i, j)]))
    return sorted(pairs), seconds, float(info["median_distance_to_nearest_neighbor"])


# --------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="the dataset folder to write")
    parser.add_argument("--dataset", help="run Datalab on this existing dataset instead (items.csv, labels.csv, embeddings.npy, images/)")
    parser.add_argument("--kind", choices=["digits", "sketches", "shapes", "scenes"])
    parser.add_argument("--regime", choices=["clusters", "weak", "noisy"])
    parser.add_argument("--transforms", choices=["full", "mild"], default="full",
                        help="full: crops and shifts up to an eighth; mild: up to 1/32")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", type=int, default=800)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--copy-rate", type=float, default=0.1, help="share of sources that get 1–3 copies")
    parser.add_argument("--conflict-rate", type=float, default=0.3, help="share of copy groups with a conflicting label")
    args = parser.parse_args()
    if args.dataset:
        return existing(Path(args.dataset))

    rng = np.random.default_rng([args.seed, args.sources, args.classes, int(args.copy_rate * 1000)])
    make = {"digits": digit_sources, "sketches": sketch_sources, "shapes": shape_sources, "scenes": scene_sources}[args.kind]
    sources, true_labels = make(rng, args.sources, args.classes)

    files, source_of, labels, truth = [], [], [], []
    for s, img in enumerate(sources):
        copies = int(rng.integers(1, 4)) if rng.random() < args.copy_rate else 0
        conflict = copies > 0 and rng.random() < args.conflict_rate
        for c in range(copies + 1):
            picture = img if c == 0 else copy_of(img, rng, args.transforms)
            files.append(encode(picture, rng))
            source_of.append(s)
            truth.append(true_labels[s])
            label = true_labels[s]
            if conflict and c == copies:
                label = (label + int(rng.integers(1, args.classes))) % args.classes
            labels.append(label)
    order = rng.permutation(len(files))
    files = [files[i] for i in order]
    source_of = [source_of[i] for i in order]
    labels = [labels[i] for i in order]
    truth = [truth[i] for i in order]
    groups = {}
    for i, s in enumerate(source_of):
        groups.setdefault(s, []).append(i)

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    (out / "images").mkdir(parents=True)
    names = []
    for i, (fmt, data) in enumerate(files):
        name = f"{i:05d}.{fmt}"
        (out / "images" / name).write_bytes(data)
        names.append(name)
    class_names = [f"c{c}" for c in range(args.classes)]
    (out / "classes.txt").write_text("".join(c + "\n" for c in class_names))
    with open(out / "items.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image"])
        w.writerows([[n] for n in names])
    with open(out / "labels.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "label"])
        w.writerows([[n, class_names[l]] for n, l in zip(names, labels)])
    with open(out / "ground_truth.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "source", "duplicate_group", "true_label", "given_label"])
        for i, n in enumerate(names):
            group = f"dup-{source_of[i]:05d}" if len(groups[source_of[i]]) > 1 else ""
            w.writerow([n, source_of[i], group, class_names[truth[i]], class_names[labels[i]]])

    data = [d for _, d in files]
    if args.regime == "weak":
        from sklearn.decomposition import PCA
        emb = PCA(n_components=32, random_state=0).fit_transform(grey_pixels(data, 16)).astype(np.float32)
    else:
        emb = class_embeddings(args.regime, rng, truth, source_of, len(files), args.classes)
    np.save(out / "embeddings.npy", np.ascontiguousarray(emb, dtype=np.float32))

    report(emb, data, labels, names, {"items": len(files), "copy_groups": sum(1 for g in groups.values() if len(g) > 1)})
    return 0


def report(emb, data, labels, names, facts):
    """Datalab on the embeddings and on the raw pixels; prints the JSON line."""
    pairs_emb, seconds_emb, median_emb = datalab_pairs(emb, labels, names) if emb is not None else ([], 0.0, float("nan"))
    pixels = grey_pixels(data, 32)
    pairs_pix, seconds_pix, median_pix = datalab_pairs(pixels, labels, names)

    import cleanlab
    print(json.dumps({
        **facts,
        "cleanlab_version": cleanlab.__version__,
        "datalab_embeddings": pairs_emb, "datalab_embeddings_seconds": seconds_emb, "datalab_embeddings_median_nn_distance": median_emb,
        "datalab_pixels": pairs_pix, "datalab_pixels_seconds": seconds_pix, "datalab_pixels_median_nn_distance": median_pix,
    }))


def existing(root):
    names = [row["image"] for row in csv.DictReader(open(root / "items.csv", newline=""))]
    first = {}
    for row in csv.DictReader(open(root / "labels.csv", newline="")):
        first.setdefault(row["image"], row["label"])
    labels = [first.get(n, "") for n in names]
    data = [(root / "images" / n).read_bytes() for n in names]
    emb = np.load(root / "embeddings.npy") if (root / "embeddings.npy").exists() else None
    report(emb, data, labels, names, {"items": len(names)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
