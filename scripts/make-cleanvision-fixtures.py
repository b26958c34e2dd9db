#!/usr/bin/env python3
"""Fixtures for Winnow's image-quality checks, produced by CleanVision itself.

Writes
  Tests/WinnowImagingTests/Fixtures/cleanvision/*.{png,jpg,webp}   small images of every kind
  Tests/WinnowImagingTests/Fixtures/cleanvision/expected.json      CleanVision's per-image properties
  Tests/WinnowAnalysisTests/Fixtures/cleanvision/scores.json       CleanVision's scores and flags
                                                                   over tables of properties

The image fixtures test `ImageQualityMeasures` (decoding + the per-image properties: brightness
percentiles, entropy, blurriness, the grey-level histogram's spread, size, aspect ratio,
colour space). The score fixtures test `ImageQualityReport` (CleanVision's scores, its
dataset-relative odd-size rule and its thresholds) on the images' properties and on generated
tables with ties, values at the thresholds, a dataset where most images share one size, and a
greyscale dataset.

Run from the repository root with a venv holding Benchmarks/reference/requirements-cleanvision.txt:
  python3 -m venv /tmp/venv-cleanvision
  /tmp/venv-cleanvision/bin/pip install -r Benchmarks/reference/requirements-cleanvision.txt
  /tmp/venv-cleanvision/bin/python scripts/make-cleanvision-fixtures.py
"""
import json
import math
import os
import shutil

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFilter

import cleanvision
from cleanvision import Imagelab
from cleanvision.issue_managers.image_property_issue_manager import ImagePropertyIssueManager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGES = os.path.join(ROOT, "Tests/WinnowImagingTests/Fixtures/cleanvision")
SCORES = os.path.join(ROOT, "Tests/WinnowAnalysisTests/Fixtures/cleanvision")
ISSUES = ["dark", "light", "odd_aspect_ratio", "low_information", "blurry", "grayscale", "odd_size"]
RAW = ["brightness_perc_99", "brightness_perc_5", "entropy", "blurriness", "blurriness_grayscale_std",
       "size", "aspect_ratio", "color_space"]


def smooth_field(rng, w, h, channels=3, scale=8):
    """A photo-like picture: smooth colour blobs plus fine texture."""
    small = rng.integers(0, 256, (max(2, h // scale), max(2, w // scale), channels), dtype=np.uint8)
    img = Image.fromarray(small.squeeze() if channels == 1 else small).resize((w, h), Image.Resampling.BICUBIC)
    arr = np.asarray(img).astype(np.int16)
    arr = arr + rng.integers(-12, 13, arr.shape)
    return np.clip(arr, 0, 255).astype(np.uint8)


def shapes(rng, w, h):
    img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(4, w)), y0 + int(rng.integers(4, h))
        draw.ellipse([x0, y0, x1, y1], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return img


def write_images(rng):
    shutil.rmtree(IMAGES, ignore_errors=True)
    os.makedirs(IMAGES)

    def save(name, img, **options):
        img.save(os.path.join(IMAGES, name), **options)

    save("noise-rgb-48x40.png", Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)))
    save("noise-grey-40x40.png", Image.fromarray(rng.integers(0, 256, (40, 40), dtype=np.uint8), "L"))
    x = np.linspace(0, 255, 64)
    save("gradient-rgb-64x64.png", Image.fromarray(np.stack([np.tile(x, (64, 1)), np.tile(x[:, None], (1, 64)),
                                                             np.full((64, 64), 90.0)], -1).astype(np.uint8)))
    x = np.linspace(0, 255, 65)
    save("gradient-rgb-65x64.png", Image.fromarray(np.stack([np.tile(x, (64, 1)), np.tile(x[::-1], (64, 1)),
                                                             np.full((64, 65), 30.0)], -1).astype(np.uint8)))
    save("photo-rgb-200x150.png", Image.fromarray(smooth_field(rng, 200, 150)))
    save("photo-rgb-150x200.jpg", Image.fromarray(smooth_field(rng, 150, 200)), quality=90)
    save("photo-grey-120x90.jpg", Image.fromarray(smooth_field(rng, 120, 90, 1).squeeze(), "L"), quality=85)
    save("shapes-rgb-97x61.jpg", shapes(rng, 97, 61), quality=95, subsampling=0)
    save("shapes-rgb-131x257.png", shapes(rng, 131, 257))
    save("blurred-rgb-160x120.png", Image.fromarray(smooth_field(rng, 160, 120)).filter(ImageFilter.GaussianBlur(6)))
    save("blurred-grey-100x100.png", Image.fromarray(smooth_field(rng, 100, 100, 1).squeeze(), "L").filter(ImageFilter.GaussianBlur(4)))
    save("blurred-rgb-90x70.jpg", shapes(rng, 90, 70).filter(ImageFilter.GaussianBlur(3)), quality=92)
    save("dark-rgb-80x60.png", Image.fromarray((smooth_field(rng, 80, 60) * 0.25).astype(np.uint8)))
    save("dark-grey-64x64.jpg", Image.fromarray((smooth_field(rng, 64, 64, 1).squeeze() * 0.3).astype(np.uint8), "L"), quality=90)
    save("light-rgb-80x60.png", Image.fromarray((245 + smooth_field(rng, 80, 60) // 25).astype(np.uint8)))
    save("light-rgb-70x50.webp", Image.fromarray((240 + smooth_field(rng, 70, 50) // 17).astype(np.uint8)), quality=80)
    save("flat-rgb-50x50.png", Image.new("RGB", (50, 50), (40, 120, 200)))
    two = np.zeros((60, 60, 3), np.uint8)
    two[:, 30:] = (250, 250, 250)
    save("two-colour-rgb-60x60.png", Image.fromarray(two))
    text = Image.new("L", (90, 30), 255)
    ImageDraw.Draw(text).text((4, 8), "winnow 0.35", fill=0)
    save("text-grey-90x30.png", text)
    save("banner-rgb-300x40.png", Image.fromarray(smooth_field(rng, 300, 40)))
    save("tall-rgb-20x120.webp", Image.fromarray(smooth_field(rng, 20, 120)), lossless=True)
    save("noise-rgb-64x64.webp", Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)), quality=75)
    save("tiny-rgb-5x5.png", Image.fromarray(rng.integers(0, 256, (5, 5, 3), dtype=np.uint8)))
    save("tiny-rgb-2x2.png", Image.fromarray(rng.integers(0, 256, (2, 2, 3), dtype=np.uint8)))
    save("single-rgb-1x1.png", Image.new("RGB", (1, 1), (200, 10, 10)))
    save("strip-grey-3x1.png", Image.fromarray(np.array([[10, 128, 250]], np.uint8), "L"))
    save("big-rgb-400x300.jpg", Image.fromarray(smooth_field(rng, 400, 300, scale=20)), quality=88)
    grey_rgb = smooth_field(rng, 72, 72, 1).squeeze()
    save("grey-as-rgb-72x72.png", Image.fromarray(np.stack([grey_rgb] * 3, -1)))


def run_cleanvision(folder):
    lab = Imagelab(data_path=folder)
    lab.find_issues(issue_types={k: {} for k in ISSUES}, n_jobs=1, verbose=False)
    raw = pd.concat([lab.info[k] for k in ["dark", "low_information", "blurry", "odd_size", "odd_aspect_ratio", "grayscale"]], axis=1)
    raw = raw.loc[:, ~raw.columns.duplicated()]
    return lab, raw


def scores_of_table(table):
    """CleanVision's own scoring (`ImagePropertyIssueManager.update_issues`, default
    parameters) over a table of raw properties."""
    manager = ImagePropertyIssueManager()
    manager.issues = pd.DataFrame(index=table.index)
    manager.update_issues(table[RAW], manager._get_dependency_sorted(ISSUES))
    return manager.issues


def dataset_entry(name, table, issues):
    rows = []
    for index in table.index:
        row = {"width": int(table.loc[index, "width"]), "height": int(table.loc[index, "height"])}
        for column in RAW:
            value = table.loc[index, column]
            row[column] = value if isinstance(value, str) else float(value)
        row["scores"] = {k: float(issues.loc[index, f"{k}_score"]) for k in ISSUES}
        row["flags"] = [k for k in ISSUES if bool(issues.loc[index, f"is_{k}_issue"])]
        rows.append(row)
    return {"name": name, "images": rows}


def table_from_sizes(rng, sizes, color_spaces=None):
    n = len(sizes)
    table = pd.DataFrame({
        "width": [w for w, _ in sizes], "height": [h for _, h in sizes],
        "brightness_perc_99": rng.uniform(0.1, 1.0, n), "brightness_perc_5": rng.uniform(0.0, 1.0, n),
        "entropy": rng.uniform(0.0, 9.0, n), "blurriness": rng.gamma(2.0, 25.0, n),
        "blurriness_grayscale_std": rng.gamma(2.0, 15.0, n),
    })
    table["size"] = [math.sqrt(w) * math.sqrt(h) for w, h in sizes]
    table["aspect_ratio"] = [min(w / h, h / w) for w, h in sizes]
    table["color_space"] = color_spaces if color_spaces is not None else ["RGB"] * n
    return table


def main():
    rng = np.random.default_rng(20240607)
    write_images(rng)
    lab, raw = run_cleanvision(IMAGES)
    expected = []
    for path in sorted(raw.index):
        with Image.open(path) as img:
            mode, (w, h) = img.mode, img.size
        entry = {"file": os.path.basename(path), "mode": mode, "width": w, "height": h}
        for column in ["brightness_perc_99", "brightness_perc_5", "entropy", "blurriness", "blurriness_grayscale_std",
                       "size", "aspect_ratio"]:
            entry[column] = float(raw.loc[path, column])
        entry["flags"] = [k for k in ISSUES if bool(lab.issues.loc[path, f"is_{k}_issue"])]
        expected.append(entry)
    with open(os.path.join(IMAGES, "expected.json"), "w") as f:
        json.dump({"cleanvision": cleanvision.__version__, "images": expected}, f, indent=1)

    # Score tables: the images' own properties, then generated ones.
    os.makedirs(SCORES, exist_ok=True)
    images = raw.copy()
    images["width"] = [e["width"] for e in sorted(expected, key=lambda e: e["file"])]
    images["height"] = [e["height"] for e in sorted(expected, key=lambda e: e["file"])]
    datasets = [dataset_entry("fixture images", images, lab.issues.loc[images.index])]

    sizes = [(int(rng.integers(16, 900)), int(rng.integers(16, 900))) for _ in range(120)]
    sizes += [(int(rng.integers(200, 260)), int(rng.integers(200, 260))) for _ in range(180)]
    spaces = list(rng.choice(["RGB", "L"], size=300, p=[0.9, 0.1]))
    table = table_from_sizes(rng, sizes, spaces)
    datasets.append(dataset_entry("random properties, mixed sizes", table, scores_of_table(table)))

    sizes = [(224, 224)] * 120 + [(int(rng.integers(100, 400)), int(rng.integers(100, 400))) for _ in range(30)] + [(224, 225), (225, 224)]
    table = table_from_sizes(rng, sizes)
    datasets.append(dataset_entry("most images one size (IQR 0)", table, scores_of_table(table)))

    sizes = [(64, 64)] * 10 + [(64, 183), (183, 64), (640, 224), (100, 35), (35, 100), (7, 20)]
    table = table_from_sizes(rng, sizes)
    n = len(sizes)
    table["brightness_perc_99"] = ([0.32, 0.3199999, 0.32000001] * 6)[:n]
    table["brightness_perc_5"] = ([0.95, 0.9500001, 0.94999] * 6)[:n]
    table["entropy"] = ([3.0, 2.9999999, 3.0000001] * 6)[:n]
    table["blurriness"] = ([0.0, 34.249, 1000.0] * 6)[:n]
    table["blurriness_grayscale_std"] = ([19.8, 19.9, 0.0] * 6)[:n]
    datasets.append(dataset_entry("values at the thresholds", table, scores_of_table(table)))

    sizes = [(28, 28)] * 60 + [(int(rng.integers(20, 40)), int(rng.integers(20, 40))) for _ in range(20)]
    spaces = ["L"] * 70 + ["RGB"] * 10
    table = table_from_sizes(rng, sizes, spaces)
    datasets.append(dataset_entry("greyscale dataset", table, scores_of_table(table)))

    with open(os.path.join(SCORES, "scores.json"), "w") as f:
        json.dump({"cleanvision": cleanvision.__version__, "datasets": datasets}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(expected)} images and {len(datasets)} score tables")


if __name__ == "__main__":
    main()
