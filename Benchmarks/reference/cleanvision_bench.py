#!/usr/bin/env python3
"""The reference side of `winnow-bench quality`: a generated image set, and CleanVision's
image-quality flags on it.

  cleanvision_bench.py generate DIR --images N --seed S [--kind mixed|photo|drawn|small]
      writes DIR/images/… (PNG, JPEG and WebP; colour, greyscale and opaque-alpha files;
      `mixed`: photo-like, drawn, textured and text-like pictures of 180-360 pixels a side;
      `photo`: photo-like only, 300-700 pixels, mostly JPEG; `drawn`: flat drawn shapes and
      text, mostly PNG; `small`: every kind at 32x32, as CIFAR) with injected dark,
      light, blurry, low-information, grayscale, odd-aspect-ratio and odd-size images, and
      DIR/injected.csv (image, what was injected).
  cleanvision_bench.py run DIR [--jobs J]
      runs CleanVision's Imagelab on DIR/images with its seven image-property checks and
      default parameters; prints one JSON line: the version, the seconds it took, and the
      issues CleanVision flags for each image (paths relative to DIR/images).

Needs Benchmarks/reference/requirements-cleanvision.txt (make bench-quality makes the venv).
"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ISSUES = ["dark", "light", "odd_aspect_ratio", "low_information", "blurry", "grayscale", "odd_size"]


def smooth(rng, w, h, scale):
    """Smooth colour blobs (a photo's large-scale structure) plus fine texture."""
    small = rng.integers(0, 256, (max(2, h // scale), max(2, w // scale), 3), dtype=np.uint8)
    arr = np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)).astype(np.int16)
    return np.clip(arr + rng.integers(-10, 11, arr.shape), 0, 255).astype(np.uint8)


def drawn(rng, w, h):
    img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 12))):
        x0, y0 = int(rng.integers(-w // 4, w)), int(rng.integers(-h // 4, h))
        x1, y1 = x0 + int(rng.integers(8, w // 2 + 9)), y0 + int(rng.integers(8, h // 2 + 9))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    arr = np.asarray(img).astype(np.int16)
    return np.clip(arr + rng.integers(-6, 7, arr.shape), 0, 255).astype(np.uint8)


def textured(rng, w, h):
    y, x = np.mgrid[0:h, 0:w]
    f = rng.uniform(0.02, 0.3, 3)
    channels = [127 + 100 * np.sin(x * f[c] + y * f[(c + 1) % 3] + rng.uniform(0, 6)) for c in range(3)]
    arr = np.stack(channels, -1) + rng.normal(0, 12, (h, w, 3))
    return np.clip(arr, 0, 255).astype(np.uint8)


def text_like(rng, w, h):
    img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(180, 256, 3)))
    draw = ImageDraw.Draw(img)
    ink = tuple(int(v) for v in rng.integers(0, 90, 3))
    for line in range(0, h - 10, 14):
        words = " ".join("".join(chr(int(rng.integers(97, 123))) for _ in range(int(rng.integers(2, 9)))) for _ in range(12))
        draw.text((4, line + 2), words, fill=ink)
    return np.asarray(img)


KINDS = [lambda r, w, h: smooth(r, w, h, int(r.integers(6, 30))), drawn, textured, text_like]


def base_size(rng, low=180, high=360):
    side = rng.uniform(low, high)
    aspect = rng.uniform(0.6, 1.67)
    return max(8, int(side * aspect ** 0.5)), max(8, int(side / aspect ** 0.5))


def small_size(rng):
    return 32, 32


# What each kind of set is made of: the pictures, their sizes, and the share of PNG and of
# JPEG files (WebP takes the rest).
PROFILES = {
    "mixed": (KINDS, base_size, 0.4, 0.4),
    "photo": (KINDS[:1], lambda rng: base_size(rng, 300, 700), 0.1, 0.7),
    "drawn": ([drawn, text_like], base_size, 0.6, 0.2),
    "small": (KINDS, small_size, 0.5, 0.3),
}


def inject(rng, issue, arr):
    """The picture `arr` made to have `issue` (some only just: near CleanVision's thresholds)."""
    h, w, _ = arr.shape
    if issue == "dark":
        return (arr * rng.uniform(0.04, 0.36)).astype(np.uint8)
    if issue == "light":
        f = rng.uniform(0.0, 0.12)
        return (255 - (255 - arr.astype(np.float64)) * f).astype(np.uint8)
    if issue == "blurry":
        # A smooth, full-range picture blurred: its grey levels spread evenly (CleanVision's
        # histogram test) and it has almost no edges.
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([x * 255.0 / max(1, w - 1), y * 255.0 / max(1, h - 1), np.full((h, w), rng.uniform(0, 255))], -1)
        img = Image.fromarray(np.clip(0.7 * base + 0.3 * arr, 0, 255).astype(np.uint8))
        return np.asarray(img.filter(ImageFilter.GaussianBlur(rng.uniform(2, 8))))
    if issue == "low_information":
        if rng.random() < 0.5:
            colour = rng.integers(0, 256, 3)
            return np.clip(colour + rng.integers(-2, 3, arr.shape), 0, 255).astype(np.uint8)
        levels = int(rng.integers(2, 4))
        return ((arr // (256 // levels)) * (255 // max(1, levels - 1))).astype(np.uint8)
    if issue == "odd_aspect_ratio":
        ratio = rng.uniform(2.9, 6.0)
        if rng.random() < 0.5:
            return arr[: max(8, int(w / ratio)), :, :]
        return arr[:, : max(8, int(h / ratio)), :]
    if issue == "odd_size":
        if rng.random() < 0.5:
            side = int(rng.integers(12, 40)) if w > 64 else int(rng.integers(8, 16))
            return np.asarray(Image.fromarray(arr).resize((side, max(8, int(side * h / w)))))
        side = int(rng.integers(1400, 2200)) if w > 64 else int(rng.integers(90, 200))
        return np.asarray(Image.fromarray(arr).resize((side, int(side * h / w))))
    return arr


def save(rng, arr, path_stem, grey=False, png=0.4, jpeg=0.4):
    """One file: PNG, JPEG or WebP; greyscale files stored as grey; some PNGs with an opaque alpha."""
    img = Image.fromarray(arr)
    if grey:
        img = img.convert("L")
    choice = rng.random()
    webp = 1 - png - jpeg
    if choice < png:
        if not grey and rng.random() < 0.1:
            img = img.convert("RGBA")
        name = path_stem + ".png"
        img.save(name)
    elif choice < png + jpeg:
        name = path_stem + ".jpg"
        img.save(name, quality=int(rng.integers(70, 96)), subsampling=int(rng.choice([0, 2])))
    elif choice < png + jpeg + webp / 2:
        name = path_stem + ".webp"
        img.convert("RGB").save(name, quality=int(rng.integers(60, 95)))
    else:
        name = path_stem + ".webp"
        img.convert("RGB").save(name, lossless=True)
    return name


def generate(folder, images, seed, kind="mixed"):
    kinds, size, png, jpeg = PROFILES[kind]
    rng = np.random.default_rng(seed)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "images"))
    rows = ["image,injected"]
    for i in range(images):
        w, h = size(rng)
        arr = kinds[i % len(kinds)](rng, w, h)
        issue = ""
        if rng.random() < 0.28:
            issue = str(rng.choice(ISSUES))
            arr = inject(rng, issue, arr)
        stem = os.path.join(folder, "images", f"shard-{i // 500:02d}", f"img-{i:05d}")
        os.makedirs(os.path.dirname(stem), exist_ok=True)
        name = save(rng, arr, stem, grey=issue == "grayscale" and rng.random() < 0.9, png=png, jpeg=jpeg)
        if issue == "grayscale" and not name.endswith(".webp") and Image.open(name).mode != "L":
            issue = "grayscale (stored as RGB)"
        rows.append(f"{os.path.relpath(name, os.path.join(folder, 'images'))},{issue}")
    with open(os.path.join(folder, "injected.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def run(folder, jobs):
    os.environ["TQDM_DISABLE"] = "1"  # CleanVision's progress bars would fill the benchmark's log
    import cleanvision
    from cleanvision import Imagelab
    root = os.path.join(folder, "images")
    start = time.monotonic()
    lab = Imagelab(data_path=root)
    lab.find_issues(issue_types={k: {} for k in ISSUES}, n_jobs=jobs, verbose=False)
    seconds = time.monotonic() - start
    flags, scores = {}, {}
    for path in lab.issues.index:
        name = os.path.relpath(path, root)
        flags[name] = [k for k in ISSUES if bool(lab.issues.loc[path, f"is_{k}_issue"])]
        scores[name] = {k: float(lab.issues.loc[path, f"{k}_score"]) for k in ISSUES}
    print(json.dumps({"version": cleanvision.__version__, "seconds": seconds, "jobs": jobs, "flags": flags, "scores": scores}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("folder")
    g.add_argument("--images", type=int, default=2000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--kind", choices=sorted(PROFILES), default="mixed")
    r = sub.add_parser("run")
    r.add_argument("folder")
    r.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.command == "generate":
        start = time.monotonic()
        generate(args.folder, args.images, args.seed, args.kind)
        print(json.dumps({"images": args.images, "seconds": time.monotonic() - start}))
    else:
        sys.stdout.flush()
        run(args.folder, args.jobs)


if __name__ == "__main__":
    main()
