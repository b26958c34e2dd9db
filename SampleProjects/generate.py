#!/usr/bin/env python3
"""Regenerate Winnow's bundled sample datasets from scratch.

    python3 -m venv /tmp/winnow-venv
    /tmp/winnow-venv/bin/pip install -r SampleProjects/requirements.txt
    /tmp/winnow-venv/bin/python SampleProjects/generate.py

Writes (replacing whatever is there):
    SampleProjects/shapes/            main demo dataset (Winnow dataset contract)
    SampleProjects/tiny-imagefolder/  small ImageFolder-layout dataset

Everything is procedural and driven by fixed seeds, so two runs with the same
package versions produce byte-identical files.  No network access is needed.
All generated images are dedicated to the public domain (CC0 1.0).
"""

from __future__ import annotations

import os

# Single-threaded BLAS/OpenMP so floating-point results do not depend on
# thread scheduling.  Must be set before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import csv
import io
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage
from scipy.spatial import ConvexHull
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

SEED = 20240611
HERE = Path(__file__).resolve().parent
SIZE = 96          # output image side, pixels
SS = 3             # supersampling factor for anti-aliased shape masks

# Column order of every probability file (alphabetical).
CLASSES = ["circle", "cross", "hexagon", "pentagon", "ring", "square", "star", "triangle"]

# Class-conditional label confusions used for most injected label errors.
CONFUSIONS = {
    "circle":   {"hexagon": 0.6, "ring": 0.4},
    "cross":    {"star": 0.7, "square": 0.3},
    "hexagon":  {"circle": 0.6, "pentagon": 0.4},
    "pentagon": {"hexagon": 0.7, "square": 0.3},
    "ring":     {"circle": 1.0},
    "square":   {"pentagon": 0.6, "cross": 0.4},
    "star":     {"cross": 0.6, "pentagon": 0.4},
    "triangle": {"star": 0.5, "pentagon": 0.5},
}

SOURCES_PER_CLASS = 64          # 8 * 64 = 512 source images
NEAR_DUP_SOURCE_FRACTION = 0.09  # of sources get 1-3 near-duplicate copies
N_EXACT_COPIES = 3
NOISE_FRACTION = 0.10
UNIFORM_NOISE_SHARE = 0.25      # share of injected errors that are uniform random
DOUBLE_LABEL_FRACTION = 0.25
N_FORCED_CONFLICT_GROUPS = 6
ITEMS_PER_BATCH = 60
# "png-indexed" = 8-bit palette PNG (keeps the repo small; exercises indexed-colour decoding)
FORMAT_WEIGHTS = {"png": 0.4, "png-indexed": 0.2, "jpg": 0.3, "webp": 0.1}
JPEG_QUALITY = 88
WEBP_QUALITY = 82
SITES = ["North Pier", "Old Mill", "Harbour Lab", "Greenhouse 2", "Lakeside, East"]
FORMULA_SITE = "=cmd|' /C calc'!A0"   # exactly one item: exercises formula neutralising
DEVICES = ["camera-a", "camera-b", "phone"]
EMBED_DIM = 64


def rng_for(*keys: int) -> np.random.Generator:
    """Independent deterministic stream per purpose/item."""
    return np.random.default_rng([SEED, *keys])


# --------------------------------------------------------------------------
# Procedural drawing
# --------------------------------------------------------------------------

def random_colour(rng: np.random.Generator) -> np.ndarray:
    h = rng.uniform(0, 1)
    s = rng.uniform(0.25, 1.0)
    v = rng.uniform(0.25, 1.0)
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return np.array(rgb, dtype=np.float64) * 255.0


def background(rng: np.random.Generator) -> np.ndarray:
    """HxWx3 float64 background in [0, 255]."""
    n = SIZE
    yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
    c1, c2 = random_colour(rng), random_colour(rng)
    # keep backgrounds somewhat muted most of the time
    if rng.random() < 0.7:
        grey = rng.uniform(60, 200)
        c1 = 0.5 * c1 + 0.5 * grey
        c2 = 0.5 * c2 + 0.5 * grey
    kind = rng.choice(["flat", "gradient", "gradient", "clouds", "clouds", "stripes", "checker"])
    if kind == "flat":
        t = np.zeros((n, n))
    elif kind == "gradient":
        a = rng.uniform(0, 2 * np.pi)
        t = np.cos(a) * xx + np.sin(a) * yy
        t = (t - t.min()) / (np.ptp(t) + 1e-9)
    elif kind == "clouds":
        g = int(rng.integers(3, 8))
        small = rng.uniform(0, 255, size=(g, g)).astype(np.uint8)
        t = np.asarray(Image.fromarray(small, "L").resize((n, n), Image.BICUBIC), dtype=np.float64) / 255.0
    elif kind == "stripes":
        a = rng.uniform(0, np.pi)
        freq = rng.uniform(3, 9)
        t = 0.5 + 0.5 * np.sin(2 * np.pi * freq * (np.cos(a) * xx + np.sin(a) * yy) + rng.uniform(0, 6.3))
        t = t * rng.uniform(0.2, 0.6)
    else:  # checker / tiles
        cells = int(rng.integers(3, 8))
        t = ((np.floor(xx * cells * 0.999) + np.floor(yy * cells * 0.999)) % 2) * rng.uniform(0.15, 0.5)
    img = c1[None, None, :] * (1 - t[..., None]) + c2[None, None, :] * t[..., None]
    return img


def polygon_points(cls: str, rng: np.random.Generator):
    """Return (outer_points, inner_points_or_None) in unit coordinates, pre-transform."""
    def regular(k, r=1.0, phase=0.0):
        ang = phase + np.arange(k) * 2 * np.pi / k
        return np.stack([r * np.cos(ang), r * np.sin(ang)], axis=1)

    if cls == "circle":
        return regular(72), None
    if cls == "ring":
        return regular(72), regular(72, rng.uniform(0.42, 0.72))
    if cls == "square":
        return regular(4, 1.0, np.pi / 4), None
    if cls == "triangle":
        return regular(3, 1.12), None
    if cls == "pentagon":
        return regular(5), None
    if cls == "hexagon":
        return regular(6), None
    if cls == "star":
        inner = rng.uniform(0.38, 0.58)
        ang = np.arange(10) * np.pi / 5
        rad = np.where(np.arange(10) % 2 == 0, 1.1, 1.1 * inner)
        return np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=1), None
    if cls == "cross":
        w = rng.uniform(0.24, 0.42)
        pts = [(w, 1), (w, w), (1, w), (1, -w), (w, -w), (w, -1),
               (-w, -1), (-w, -w), (-1, -w), (-1, w), (-w, w), (-w, 1)]
        return np.array(pts, dtype=np.float64) * 0.95, None
    raise ValueError(cls)


def shape_mask(cls: str, rng: np.random.Generator):
    """Anti-aliased L mask (SIZE x SIZE) and the shape's centre/radius."""
    outer, inner = polygon_points(cls, rng)
    r = rng.uniform(15, 34)
    cx = rng.uniform(r * 0.8 + 4, SIZE - r * 0.8 - 4)
    cy = rng.uniform(r * 0.8 + 4, SIZE - r * 0.8 - 4)
    rot = rng.uniform(0, 2 * np.pi)
    squash = rng.uniform(0.85, 1.15)
    sq_ang = rng.uniform(0, np.pi)
    # anisotropic squash along a random axis, then rotation
    ca, sa = np.cos(sq_ang), np.sin(sq_ang)
    R_sq = np.array([[ca, -sa], [sa, ca]])
    S = R_sq @ np.diag([squash, 1 / squash]) @ R_sq.T
    cr, sr = np.cos(rot), np.sin(rot)
    M = np.array([[cr, -sr], [sr, cr]]) @ S * r

    def tr(pts):
        p = pts @ M.T + np.array([cx, cy])
        return [(float(x * SS), float(y * SS)) for x, y in p]

    big = Image.new("L", (SIZE * SS, SIZE * SS), 0)
    d = ImageDraw.Draw(big)
    d.polygon(tr(outer), fill=255)
    if inner is not None:
        d.polygon(tr(inner), fill=0)
    # occasionally round the corners (makes hexagon/pentagon look circle-ish)
    if cls not in ("circle", "ring") and rng.random() < 0.25:
        big = big.filter(ImageFilter.GaussianBlur(rng.uniform(2, 7)))
        big = big.point(lambda v: 255 if v >= 128 else 0)
    mask = big.resize((SIZE, SIZE), Image.LANCZOS)
    return mask, (cx, cy, r)


def draw_image(cls: str, rng: np.random.Generator) -> Image.Image:
    img = background(rng)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(pil)
    # background clutter
    if rng.random() < 0.35:
        for _ in range(int(rng.integers(1, 4))):
            col = tuple(int(c) for c in random_colour(rng))
            x, y = rng.uniform(0, SIZE, 2)
            s = rng.uniform(2, 7)
            if rng.random() < 0.5:
                d.ellipse([x - s, y - s, x + s, y + s], fill=col)
            else:
                x2, y2 = rng.uniform(0, SIZE, 2)
                d.line([(x, y), (x2, y2)], fill=col, width=int(rng.integers(1, 3)))
    base = np.asarray(pil, dtype=np.float64)

    # the object: solid colour with a shading gradient
    mask, (cx, cy, r) = shape_mask(cls, rng)
    fg_col = random_colour(rng)
    bg_mean = base.mean(axis=(0, 1))
    if np.abs(fg_col - bg_mean).sum() < 90 and rng.random() < 0.8:   # mostly ensure contrast
        fg_col = 255.0 - fg_col * 0.6
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    a = rng.uniform(0, 2 * np.pi)
    shade = 1.0 + rng.uniform(0.0, 0.35) * (np.cos(a) * (xx - cx) + np.sin(a) * (yy - cy)) / max(r, 1)
    fg = np.clip(fg_col[None, None, :] * shade[..., None], 0, 255)
    m = np.asarray(mask, dtype=np.float64)[..., None] / 255.0
    out = base * (1 - m) + fg * m
    pil = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")

    # occasional occluder overlapping the object
    if rng.random() < 0.13:
        d = ImageDraw.Draw(pil)
        col = tuple(int(c) for c in random_colour(rng))
        ox = cx + rng.uniform(-1.1, 1.1) * r
        oy = cy + rng.uniform(-1.1, 1.1) * r
        w, h = rng.uniform(0.35, 0.8) * r, rng.uniform(0.35, 0.8) * r
        if rng.random() < 0.5:
            d.rectangle([ox - w, oy - h, ox + w, oy + h], fill=col)
        else:
            d.ellipse([ox - w, oy - h, ox + w, oy + h], fill=col)

    # camera effects: blur, vignette/lighting, sensor noise
    if rng.random() < 0.3:
        pil = pil.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.3)))
    arr = np.asarray(pil, dtype=np.float64)
    if rng.random() < 0.4:
        a = rng.uniform(0, 2 * np.pi)
        light = 1.0 + rng.uniform(0.05, 0.25) * (np.cos(a) * (xx - 48) + np.sin(a) * (yy - 48)) / 48
        arr = arr * light[..., None]
    sigma = rng.choice([0.0, 1.0, 2.0, 4.0, 8.0], p=[0.62, 0.13, 0.12, 0.08, 0.05])
    if sigma > 0:
        arr = arr + rng.normal(0, sigma, arr.shape)
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "RGB")


# --------------------------------------------------------------------------
# Encoding (deterministic: fixed quality, no metadata/timestamps)
# --------------------------------------------------------------------------

def encode(img: Image.Image, fmt: str, quality: int | None = None) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, format="PNG", optimize=True)
    elif fmt == "png-indexed":
        pal = img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        pal.save(buf, format="PNG", optimize=True)
    elif fmt == "jpg":
        img.save(buf, format="JPEG", quality=quality or JPEG_QUALITY, optimize=False, progressive=False)
    elif fmt == "webp":
        img.save(buf, format="WEBP", quality=quality or WEBP_QUALITY, method=4, lossless=False)
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB")


# --------------------------------------------------------------------------
# Near-duplicate transforms
# --------------------------------------------------------------------------

def near_duplicate(src: Image.Image, rng: np.random.Generator) -> Image.Image:
    ops = ["crop", "jitter", "recompress", "shift"]
    chosen = list(rng.choice(ops, size=int(rng.integers(1, 3)), replace=False))
    img = src
    for op in ops:                      # fixed application order
        if op not in chosen:
            continue
        if op == "crop":
            l, t, r, b = (int(v) for v in rng.integers(1, 5, size=4))
            img = img.crop((l, t, SIZE - r, SIZE - b)).resize((SIZE, SIZE), Image.BICUBIC)
        elif op == "jitter":
            arr = np.asarray(img, dtype=np.float64)
            gain = rng.uniform(0.93, 1.07)
            shift = rng.uniform(-7, 7, size=3)
            arr = (arr - 128) * rng.uniform(0.94, 1.06) + 128
            arr = arr * gain + shift
            img = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "RGB")
        elif op == "recompress":
            img = decode(encode(img, "jpg", quality=int(rng.integers(55, 80))))
        elif op == "shift":
            dx, dy = (int(v) for v in rng.integers(-2, 3, size=2))
            if dx == 0 and dy == 0:
                dx = 1
            arr = np.asarray(img)
            p = 2
            padded = np.pad(arr, ((p, p), (p, p), (0, 0)), mode="edge")
            arr = padded[p - dy:p - dy + SIZE, p - dx:p - dx + SIZE]
            img = Image.fromarray(np.ascontiguousarray(arr), "RGB")
    return img


# --------------------------------------------------------------------------
# Image descriptor
# --------------------------------------------------------------------------

def object_mask(rgb: np.ndarray):
    """Rough foreground segmentation: residual against a planar background model
    fitted to the image border, Otsu threshold, largest connected component."""
    n = rgb.shape[0]
    yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
    border = np.zeros((n, n), bool)
    border[:3, :] = border[-3:, :] = border[:, :3] = border[:, -3:] = True
    A = np.stack([np.ones(n * n), xx.ravel(), yy.ravel(), xx.ravel() * yy.ravel()], axis=1)
    coef, *_ = np.linalg.lstsq(A[border.ravel()], rgb.reshape(-1, 3)[border.ravel()], rcond=None)
    resid = np.linalg.norm(rgb - (A @ coef).reshape(n, n, 3), axis=2)
    resid = ndimage.gaussian_filter(resid, 1.0)
    # Otsu threshold
    hist, edges = np.histogram(resid, bins=64)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centres) / np.maximum(w0, 1)
    m1 = ((hist * centres).sum() - np.cumsum(hist * centres)) / np.maximum(w1, 1)
    thr = centres[int(np.argmax(w0 * w1 * (m0 - m1) ** 2))]
    m = ndimage.binary_opening(resid > thr, iterations=1)
    lab, k = ndimage.label(m)
    if k == 0:
        m = np.zeros((n, n), bool)
        m[n // 2 - 8:n // 2 + 8, n // 2 - 8:n // 2 + 8] = True
        return m, m
    sizes = ndimage.sum(m, lab, index=np.arange(1, k + 1))
    m = lab == (1 + int(np.argmax(sizes)))
    return m, ndimage.binary_fill_holes(m)


def shape_descriptor(mask: np.ndarray, filled: np.ndarray) -> np.ndarray:
    area = filled.sum()
    ys, xs = np.nonzero(filled)
    cy, cx = ys.mean(), xs.mean()
    edge = filled & ~ndimage.binary_erosion(filled)
    ey, ex = np.nonzero(edge)
    dist = np.hypot(ey - cy, ex - cx)
    theta = np.arctan2(ey - cy, ex - cx)
    mean_d = dist.mean() + 1e-6
    # radial signature r(theta): max boundary distance per angular bin
    nb = 64
    bins = ((theta + np.pi) / (2 * np.pi) * nb).astype(int) % nb
    sig = np.zeros(nb)
    np.maximum.at(sig, bins, dist / mean_d)
    empty = sig == 0
    if empty.any() and not empty.all():     # fill gaps by interpolation
        idx = np.arange(nb)
        sig[empty] = np.interp(idx[empty], idx[~empty], sig[~empty], period=nb)
    spec = np.abs(np.fft.rfft(sig))[1:11] / nb
    rhist = np.histogram(dist / mean_d, bins=8, range=(0.4, 1.6))[0] / max(len(dist), 1)
    perim = edge.sum()
    compact = perim ** 2 / (4 * np.pi * area + 1e-6)
    if len(xs) >= 3 and np.ptp(xs) > 0 and np.ptp(ys) > 0:
        solidity = area / max(ConvexHull(np.stack([xs, ys], 1).astype(float)).volume, 1.0)
    else:
        solidity = 1.0
    hole = 1.0 - mask.sum() / max(area, 1)
    return np.concatenate([spec, rhist, [compact, solidity, hole, np.sqrt(area) / 96, sig.std()]])


def describe(img: Image.Image) -> dict[str, np.ndarray]:
    rgb = np.asarray(img, dtype=np.float64) / 255.0
    gray = rgb @ np.array([0.299, 0.587, 0.114])
    out = {}

    # 1. tiny grayscale thumbnail (12x12), per-image standardised
    g12 = gray.reshape(12, 8, 12, 8).mean(axis=(1, 3))
    out["thumb"] = ((g12 - g12.mean()) / (g12.std() + 0.02)).ravel()

    # 2. gradient orientation histograms (HOG-like) on a smoothed 48x48 image
    g48 = ndimage.gaussian_filter(gray.reshape(48, 2, 48, 2).mean(axis=(1, 3)), 1.0)
    gx = ndimage.sobel(g48, axis=1)
    gy = ndimage.sobel(g48, axis=0)
    mag = np.hypot(gx, gy)
    ang = np.mod(np.arctan2(gy, gx), np.pi)
    nb = 9
    b = np.minimum((ang / np.pi * nb).astype(int), nb - 1)
    cells = []
    for i in range(4):
        for j in range(4):
            sl = (slice(12 * i, 12 * i + 12), slice(12 * j, 12 * j + 12))
            cells.append(np.bincount(b[sl].ravel(), weights=mag[sl].ravel(), minlength=nb))
    hog = np.concatenate(cells)
    out["hog"] = np.sqrt(hog / (np.linalg.norm(hog) + 1e-6))

    # 3. rotation/translation/scale-invariant shape cues from a rough segmentation
    mask, filled = object_mask(rgb)
    out["shape"] = shape_descriptor(mask, filled)

    # 4. colour: hue histogram weighted by saturation, plus brightness histogram
    mx, mn = rgb.max(axis=2), rgb.min(axis=2)
    sat = (mx - mn) / (mx + 1e-6)
    r_, g_, b_ = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hue = np.mod(np.arctan2(np.sqrt(3) * (g_ - b_), 2 * r_ - g_ - b_), 2 * np.pi) / (2 * np.pi)
    hh = np.histogram(hue, bins=12, range=(0, 1), weights=sat)[0]
    vh = np.histogram(mx, bins=6, range=(0, 1))[0].astype(np.float64)
    out["colour"] = np.concatenate([hh / (hh.sum() + 1e-9), vh / vh.sum()])
    return out


BLOCK_WEIGHTS = {"thumb": 1.0, "hog": 1.0, "shape": 3.0, "colour": 0.5}


def feature_matrix(descs: list[dict[str, np.ndarray]]) -> np.ndarray:
    blocks = []
    for name, wgt in BLOCK_WEIGHTS.items():
        X = np.stack([d[name] for d in descs])
        X = StandardScaler().fit_transform(X)
        blocks.append(X * (wgt / np.sqrt(X.shape[1])))
    return np.concatenate(blocks, axis=1)


# --------------------------------------------------------------------------
# CSV helpers
# --------------------------------------------------------------------------

def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")   # QUOTE_MINIMAL; RFC 4180 quoting
        w.writerow(header)
        w.writerows(rows)


def prob_strings(p: np.ndarray) -> list[str]:
    """6-decimal strings that sum to exactly 1 (largest entry absorbs rounding)."""
    q = np.round(np.asarray(p, dtype=np.float64) / p.sum(), 6)
    q = np.clip(q, 0.0, None)
    k = int(np.argmax(q))
    q[k] = round(q[k] + (1.0 - q.sum()), 6)
    return [f"{v:.6f}" for v in q]


def save_npy(path: Path, arr: np.ndarray) -> None:
    np.save(path, np.ascontiguousarray(arr, dtype="<f4"), allow_pickle=False)


# --------------------------------------------------------------------------
# shapes/
# --------------------------------------------------------------------------

@dataclass
class Item:
    key: int                    # creation index (stable)
    true_label: str
    data: bytes = b""
    fmt: str = "png"
    group: int | None = None    # duplicate group (index into groups)
    parent: int | None = None   # key of the source image for copies
    kind: str = "source"        # source / near / exact
    path: str = ""
    labels: list[tuple[str, str]] = field(default_factory=list)   # (label, annotator)
    meta: dict[str, str] = field(default_factory=dict)


def ext_of(fmt: str) -> str:
    return fmt.split("-")[0]


def pick_format(rng: np.random.Generator) -> str:
    fmts = list(FORMAT_WEIGHTS)
    return str(rng.choice(fmts, p=[FORMAT_WEIGHTS[f] for f in fmts]))


def confuse(true: str, rng: np.random.Generator, uniform: bool) -> str:
    if uniform:
        others = [c for c in CLASSES if c != true]
        return str(others[int(rng.integers(len(others)))])
    opts = CONFUSIONS[true]
    names = sorted(opts)
    return str(rng.choice(names, p=[opts[n] for n in names]))


def build_shapes(root: Path) -> dict:
    img_dir = root / "images"
    img_dir.mkdir(parents=True)
    K = len(CLASSES)

    # ---- 1. source images
    items: list[Item] = []
    for ci, cls in enumerate(CLASSES):
        for j in range(SOURCES_PER_CLASS):
            key = len(items)
            r = rng_for(1, ci, j)
            img = draw_image(cls, r)
            fmt = pick_format(r)
            items.append(Item(key=key, true_label=cls, data=encode(img, fmt), fmt=fmt))
    n_sources = len(items)

    # ---- 2. near-duplicates and exact copies
    rng = rng_for(2)
    groups: list[list[int]] = []
    n_near_src = int(round(NEAR_DUP_SOURCE_FRACTION * n_sources))
    near_src = sorted(rng.choice(n_sources, size=n_near_src, replace=False).tolist())
    for s in near_src:
        src = items[s]
        gid = len(groups)
        src.group = gid
        members = [s]
        src_img = decode(src.data)
        for _ in range(int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2]))):
            r = rng_for(3, len(items))
            dup = near_duplicate(src_img, r)
            fmt = pick_format(r)
            it = Item(key=len(items), true_label=src.true_label, data=encode(dup, fmt), fmt=fmt,
                      group=gid, parent=s, kind="near")
            members.append(it.key)
            items.append(it)
        groups.append(members)
    # exact byte-identical copies: two of plain sources, one of a near-dup group source
    plain = [i for i in range(n_sources) if items[i].group is None]
    exact_src = sorted(rng.choice(plain, size=N_EXACT_COPIES - 1, replace=False).tolist())
    exact_src.append(int(near_src[int(rng.integers(len(near_src)))]))
    for s in exact_src:
        src = items[s]
        if src.group is None:
            src.group = len(groups)
            groups.append([s])
        it = Item(key=len(items), true_label=src.true_label, data=src.data, fmt=src.fmt,
                  group=src.group, parent=s, kind="exact")
        groups[src.group].append(it.key)
        items.append(it)
    N = len(items)

    # ---- 3. file names / layout
    order = rng.permutation(N)                 # number images in shuffled order
    number = {int(k): i + 1 for i, k in enumerate(order)}
    used_names = set()
    # the first non-exact-copy image numbered >= 42 gets a non-ASCII name
    special_key = min((it for it in items if it.kind != "exact" and number[it.key] >= 42),
                      key=lambda it: number[it.key]).key
    for it in items:
        num = number[it.key]
        batch = (num - 1) // ITEMS_PER_BATCH + 1
        folder = f"batch-{batch:02d}"
        if batch == 5 and num % 3 == 0:
            folder += "/night"                 # a deeper nesting level
        stem = f"img_{num:04d}"
        if it.kind == "exact" and it.key == items[-1].key:
            stem += " copy"                     # a space in a file name
        if it.key == special_key:
            # non-ASCII file name (NFC); force JPEG
            if it.fmt != "jpg":
                it.fmt = "jpg"
                it.data = encode(decode(it.data), "jpg")
            stem = unicodedata.normalize("NFC", f"café_{num:04d}")
        it.path = f"{folder}/{stem}.{ext_of(it.fmt)}"
        assert it.path not in used_names
        used_names.add(it.path)
    # exact copies must share bytes with their source (source may have been re-encoded)
    for it in items:
        if it.kind == "exact":
            src = items[it.parent]
            it.data, it.fmt = src.data, src.fmt
            it.path = it.path.rsplit(".", 1)[0] + "." + ext_of(it.fmt)

    items.sort(key=lambda it: it.path)        # items.csv row order
    by_key = {it.key: it for it in items}

    # ---- 4. metadata
    rng = rng_for(4)
    batch_day = {}
    for it in items:
        b = it.path.split("/")[0]
        if b not in batch_day:
            batch_day[b] = np.datetime64("2024-03-04") + np.timedelta64(9 * len(batch_day), "D")
        day = batch_day[b] + np.timedelta64(int(rng.integers(0, 7)), "D")
        it.meta = {
            "source": str(rng.choice(DEVICES, p=[0.45, 0.3, 0.25])),
            "captured_at": str(day),
            "site": str(rng.choice(SITES, p=[0.3, 0.25, 0.2, 0.15, 0.1])),
        }
    formula_item = items[int(rng.integers(N))]
    formula_item.meta["site"] = FORMULA_SITE

    # ---- 5. labels: noise on the primary annotator's label
    rng = rng_for(5)
    n_noise = int(round(NOISE_FRACTION * N))
    primary = {it.key: it.true_label for it in items}
    flipped: set[int] = set()
    # force conflicting labels inside a few duplicate groups (incl. one exact-copy group)
    exact_groups = sorted({by_key[k].group for k in by_key if by_key[k].kind == "exact"})
    near_only = [g for g in range(len(groups)) if g not in exact_groups]
    forced = [exact_groups[int(rng.integers(len(exact_groups)))]]
    forced += sorted(rng.choice(near_only, size=N_FORCED_CONFLICT_GROUPS - 1, replace=False).tolist())
    for g in forced:
        k = int(rng.choice(groups[g][1:]))
        primary[k] = confuse(by_key[k].true_label, rng, uniform=False)
        flipped.add(k)
    # the remaining errors go to images outside duplicate groups, so that only the
    # forced groups carry conflicting labels
    rest = sorted(k for k in by_key if k not in flipped and by_key[k].group is None)
    for k in rng.choice(rest, size=n_noise - len(flipped), replace=False):
        k = int(k)
        primary[k] = confuse(by_key[k].true_label, rng, uniform=rng.random() < UNIFORM_NOISE_SHARE)
        flipped.add(k)

    n_double = int(round(DOUBLE_LABEL_FRACTION * N))
    double = set(int(k) for k in rng.choice(sorted(by_key), size=n_double, replace=False))
    for it in items:
        first = "ann-a" if rng.random() < 0.5 else "ann-b"
        it.labels = [(primary[it.key], first)]
        if it.key in double:
            second = "ann-b" if first == "ann-a" else "ann-a"
            lab = it.true_label if rng.random() < 0.93 else confuse(it.true_label, rng, uniform=False)
            it.labels.append((lab, second))

    # ---- 6. write images + CSVs
    for it in items:
        p = img_dir / it.path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(it.data)
    (root / "classes.txt").write_text("".join(c + "\n" for c in CLASSES), encoding="utf-8")
    write_csv(root / "items.csv", ["image", "source", "captured_at", "site"],
              [[it.path, it.meta["source"], it.meta["captured_at"], it.meta["site"]] for it in items])
    write_csv(root / "labels.csv", ["image", "label", "annotator"],
              [[it.path, lab, ann] for it in items for lab, ann in it.labels])
    group_ids = {}
    for it in items:                              # group ids in row order of first member
        if it.group is not None and it.group not in group_ids:
            group_ids[it.group] = f"dup-{len(group_ids) + 1:03d}"
    write_csv(root / "ground_truth.csv",
              ["image", "true_label", "given_label", "is_label_error", "duplicate_group"],
              [[it.path, it.true_label, it.labels[0][0], int(it.labels[0][0] != it.true_label),
                group_ids.get(it.group, "")] for it in items])

    # ---- 7. features, embeddings, out-of-fold model predictions
    descs = [describe(decode(it.data)) for it in items]
    X = feature_matrix(descs)
    emb = PCA(n_components=EMBED_DIM, svd_solver="full").fit_transform(X)
    (root / "predictions").mkdir()
    save_npy(root / "embeddings.npy", emb)

    y_given = np.array([CLASSES.index(it.labels[0][0]) for it in items])
    y_true = np.array([CLASSES.index(it.true_label) for it in items])
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED % (2 ** 31)).split(X, y_given))

    Z = StandardScaler().fit_transform(emb)
    p_lr = np.zeros((N, K))
    p_rf = np.zeros((N, K))
    for tr, te in folds:
        lr = LogisticRegression(C=0.05, max_iter=5000)
        lr.fit(Z[tr], y_given[tr])
        p_lr[te] = lr.predict_proba(Z[te])
        rf = RandomForestClassifier(n_estimators=300, min_samples_leaf=2, max_features="sqrt",
                                    random_state=SEED % (2 ** 31), n_jobs=1)
        rf.fit(X[tr], y_given[tr])
        p_rf[te] = rf.predict_proba(X[te])
    p_lr = (p_lr / p_lr.sum(axis=1, keepdims=True)).astype("<f4")
    save_npy(root / "predictions" / "logreg.npy", p_lr)
    write_csv(root / "predictions" / "forest.csv", ["image", *CLASSES],
              [[it.path, *prob_strings(p_rf[i])] for i, it in enumerate(items)])

    # ---- 8. stats + README
    conflict_groups = sum(1 for g in groups if len({by_key[k].labels[0][0] for k in g}) > 1)
    n_errors = sum(1 for it in items if it.labels[0][0] != it.true_label)
    n_disagree = sum(1 for it in items if len(it.labels) == 2 and it.labels[0][0] != it.labels[1][0])
    stats = dict(
        N=N, K=K, D=EMBED_DIM, n_sources=n_sources,
        n_near=sum(it.kind == "near" for it in items), n_exact=sum(it.kind == "exact" for it in items),
        n_groups=len(groups), n_conflict_groups=conflict_groups, n_errors=n_errors,
        n_double=n_double, n_disagree=n_disagree, n_label_rows=sum(len(it.labels) for it in items),
        fmt_counts={f: sum(it.fmt == f for it in items) for f in FORMAT_WEIGHTS},
        ext_counts={e: sum(ext_of(it.fmt) == e for it in items) for e in ("png", "jpg", "webp")},
        acc_lr_true=float((p_lr.argmax(1) == y_true).mean()),
        acc_rf_true=float((p_rf.argmax(1) == y_true).mean()),
        acc_lr_given=float((p_lr.argmax(1) == y_given).mean()),
        acc_rf_given=float((p_rf.argmax(1) == y_given).mean()),
        per_class={c: int((y_true == i).sum()) for i, c in enumerate(CLASSES)},
        formula_image=formula_item.path,
    )
    (root / "README.md").write_text(shapes_readme(stats), encoding="utf-8")
    (root / ".winnow-sample").write_text(SAMPLE_MARKER, encoding="utf-8")
    return stats


# Marks a bundled sample: `winnow reset` starts it over without --force.
SAMPLE_MARKER = "A Winnow sample project: `winnow reset` (make demo-reset) may start it over.\n"


def shapes_readme(s: dict) -> str:
    fc = s["fmt_counts"]
    per_class = ", ".join(f"{c} {n}" for c, n in s["per_class"].items())
    return f"""# shapes — Winnow sample dataset

A small procedural image-classification dataset for demonstrating Winnow:
{s['N']} images (96×96) of {s['K']} kinds of drawn objects ({", ".join(CLASSES)})
on gradient / cloudy / striped / tiled backgrounds, with random colours, sizes,
positions, rotations, blur, sensor noise, clutter and occasional occluders.
It contains deliberately injected label errors and near-duplicates.

Every image was generated procedurally by `../generate.py` (fixed seed; rerun it
to regenerate byte-identical files). No photographs or third-party data are
included. Licence: CC0 1.0 — dedicated to the public domain.

## Counts

- items: {s['N']} ({s['n_sources']} source images + {s['n_near']} near-duplicate copies + {s['n_exact']} byte-identical copies)
- classes: {s['K']} — true-class counts: {per_class}
- formats: PNG {fc['png'] + fc['png-indexed']} (of which {fc['png-indexed']} 8-bit indexed/palette), JPEG {fc['jpg']}, WebP {fc['webp']}; nested folders `batch-NN/` (and `batch-05/night/`);
  one non-ASCII name (`café_0042.jpg`, NFC) and one name containing a space (`… copy.…`)
- injected label errors (given label ≠ true label): {s['n_errors']} ({100 * s['n_errors'] / s['N']:.1f}%),
  mostly class-conditional confusions (circle→hexagon/ring, hexagon→circle/pentagon, star→cross, …), a quarter uniform
- duplicate groups: {s['n_groups']} (near-duplicates: small crop+resize, colour jitter, JPEG recompression,
  1–2 px shift; {s['n_exact']} groups contain a byte-identical copy); {s['n_conflict_groups']} groups have conflicting given labels
- annotators `ann-a`, `ann-b`: every image has one label row; {s['n_double']} images have a second row from
  the other annotator ({s['n_disagree']} of them disagree); {s['n_label_rows']} label rows in total
- out-of-fold accuracy against the true labels: logreg {100 * s['acc_lr_true']:.1f}%, forest {100 * s['acc_rf_true']:.1f}%
  (against the noisy given labels: {100 * s['acc_lr_given']:.1f}% / {100 * s['acc_rf_given']:.1f}%)

## Files

- `images/` — the images (paths in every CSV are relative to this folder, `/`-separated)
- `items.csv` — `image,source,captured_at,site`; defines the row order of every `.npy` file.
  `source` is camera-a / camera-b / phone, `captured_at` an ISO 8601 date, `site` a place name
  (one site name, `Lakeside, East`, contains a comma and is quoted; exactly one value, for `{s['formula_image']}`,
  starts with `=` to exercise spreadsheet-formula neutralising on export)
- `classes.txt` — the {s['K']} class names, in the column order of the probability files
- `labels.csv` — `image,label,annotator`; the primary annotator's row comes first for each image
- `predictions/logreg.npy` — N×K float32 out-of-fold probabilities, logistic regression on the embeddings
- `predictions/forest.csv` — `image,{",".join(CLASSES)}`, out-of-fold probabilities of a random forest
  on the full descriptor (6 decimals, rows sum to 1)
- `embeddings.npy` — N×{s['D']} float32: PCA of a descriptor made of a 12×12 grayscale thumbnail,
  4×4-cell gradient-orientation histograms, rotation-invariant shape cues and a colour histogram
- `ground_truth.csv` — NOT part of the dataset contract (Winnow ignores it); for tests/benchmarks:
  `image,true_label,given_label,is_label_error,duplicate_group`. `given_label` is the label of the
  first `labels.csv` row for the image (equivalently: majority vote, ties broken by row order);
  `is_label_error` is `1`/`0`; `duplicate_group` is `dup-NNN` shared by all near/exact copies of one
  source image, empty if none.

Both models were trained on the noisy given labels with 5-fold stratified cross-validation, as in
confident-learning practice; each item's probabilities come from the fold in which it was held out.
"""


# --------------------------------------------------------------------------
# tiny-imagefolder/
# --------------------------------------------------------------------------

def build_tiny(root: Path) -> dict:
    classes = ["circle", "square", "triangle"]
    counts = {"circle": 5, "square": 5, "triangle": 5}
    n = 0
    for ci, cls in enumerate(classes):
        d = root / "images" / cls
        d.mkdir(parents=True)
        for j in range(counts[cls]):
            img = draw_image(cls, rng_for(10, ci, j))
            (d / f"{cls}_{j + 1:02d}.png").write_bytes(encode(img, "png"))
            n += 1
    good = encode(draw_image("circle", rng_for(11)), "png")
    (root / "images" / "circle" / "broken.png").write_bytes(good[: len(good) // 3])
    (root / ".winnow-sample").write_text(SAMPLE_MARKER, encoding="utf-8")
    (root / "README.md").write_text(f"""# tiny-imagefolder — Winnow sample dataset (ImageFolder layout)

{n} procedural 96×96 PNG images in 3 classes, laid out as `images/<class>/<file>.png`;
the folder name is the label. There is no `items.csv`, `labels.csv` or prediction file.

- `images/circle/` — {counts['circle']} images + `broken.png`
- `images/square/` — {counts['square']} images
- `images/triangle/` — {counts['triangle']} images

`images/circle/broken.png` is deliberately corrupt (a valid PNG cut to a third of its
length) so the importer's per-image problem reporting can be demonstrated.

Generated by `../generate.py` (fixed seed). Licence: CC0 1.0 — public domain dedication.
""", encoding="utf-8")
    return {"n_images": n, "broken": 1}


def main() -> int:
    out = {}
    for name, builder in (("shapes", build_shapes), ("tiny-imagefolder", build_tiny)):
        root = HERE / name
        if root.exists():
            shutil.rmtree(root)
        root.mkdir()
        out[name] = builder(root)
    s = out["shapes"]
    print(f"shapes: N={s['N']} K={s['K']} D={s['D']} errors={s['n_errors']} groups={s['n_groups']} "
          f"conflict_groups={s['n_conflict_groups']} formats={s['fmt_counts']}")
    print(f"  OOF accuracy vs true: logreg={s['acc_lr_true']:.3f} forest={s['acc_rf_true']:.3f}; "
          f"vs given: logreg={s['acc_lr_given']:.3f} forest={s['acc_rf_given']:.3f}")
    print(f"tiny-imagefolder: {out['tiny-imagefolder']['n_images']} images + 1 broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
