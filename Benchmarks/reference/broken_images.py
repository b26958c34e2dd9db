#!/usr/bin/env python3
"""Broken images against `winnow analyze`: every base image (PNG RGB, interlaced, grey and
palette; JPEG baseline, progressive and grey; WebP lossy and lossless) cut at 28 points (1,
2, 8, 12, 16, 33, 50, 100, 200 bytes, every 5 % of its length, and 16, 8, 4, 2 and 1 bytes
short of its end), six copies each with 16 random bytes changed past its first fifth, empty
files, and bombs (a 60000x60000 PNG of a few kilobytes, 100000-pixel rows and columns, a
2^31-1 width, a JPEG frame of 65000x65000, a WebP canvas of 16384x16384). Pillow's full
load (truncated images not tolerated) is the second opinion where there is no ground truth
(changed bytes that a format without checksums may still decode).

  broken_images.py DIR WINNOW [--size WxH]

Needs Pillow and numpy (Benchmarks/reference/requirements-cleanvision.txt).
"""
import argparse
import collections
import io
import json
import os
import random
import shutil
import struct
import subprocess
import time
import zlib

import numpy as np
from PIL import Image


def picture(w, h, seed):
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 127 // (w + h))], -1).astype(np.int16)
    base += r.integers(-40, 40, (h, w, 3))
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


def generate(out, width, height):
    """Writes out/images/…; returns each file's (kind, broken: True, False or None when
    unknown) and whether Pillow's full load fails on it."""
    os.makedirs(out + "/images")
    bases = {}
    def save(name, img, **kw):
        b = io.BytesIO(); img.save(b, **kw); bases[name] = b.getvalue()
    p = picture(width, height, 1)
    save("rgb.png", p, format="PNG")
    save("interlaced.png", p, format="PNG", interlace=1)
    save("grey.png", p.convert("L"), format="PNG")
    save("palette.png", p.convert("P"), format="PNG")
    save("baseline.jpg", p, format="JPEG", quality=90)
    save("progressive.jpg", p, format="JPEG", quality=90, progressive=True)
    save("grey.jpg", p.convert("L"), format="JPEG", quality=85)
    save("lossy.webp", p, format="WEBP", quality=80)
    save("lossless.webp", p, format="WEBP", lossless=True)

    truth = {}  # name -> (kind, expected_broken or None when the kind has no ground truth)
    def write(name, data, kind, broken):
        with open(out + "/images/" + name, "wb") as f: f.write(data)
        truth[name] = (kind, broken)

    for name, data in bases.items():
        stem, ext = name.rsplit(".", 1)
        write(f"{stem}-whole.{ext}", data, "whole", False)
        n = len(data)
        cuts = sorted(set([1, 2, 8, 12, 16, 33, 50, 100, 200] + [int(n * f / 20) for f in range(1, 20)] + [n - 16, n - 8, n - 4, n - 2, n - 1]))
        for c in cuts:
            if 0 < c < n: write(f"{stem}-cut{c:06d}.{ext}", data[:c], "truncated", True)
        for s in range(6):
            r = random.Random(s * 1000 + n)
            b = bytearray(data)
            start = max(64, n // 5)
            for _ in range(16):
                i = r.randrange(start, n - 4); b[i] ^= r.randrange(1, 256)
            write(f"{stem}-corrupt{s}.{ext}", bytes(b), "corrupt", None)
    write("empty.png", b"", "empty", True)
    write("empty.jpg", b"", "empty", True)
    write("empty.webp", b"", "empty", True)

    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    def png(w, h, raw, colour=0, depth=8):
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    # Bombs: huge declared sizes with tiny data; a real zlib bomb under the pixel limit decodes.
    z = zlib.compressobj(9)
    bomb = z.compress(b"\x00" * 60001)
    for _ in range(200): bomb += z.compress(b"\x00" * 60001)
    bomb += z.flush()
    write("bomb-60000x60000.png", png(60000, 60000, bomb), "bomb", True)
    write("bomb-100000x1.png", png(100000, 1, zlib.compress(b"\x00" * 100001)), "bomb", True)
    write("bomb-1x100000.png", png(1, 100000, zlib.compress(b"\x00\x00" * 100000)), "bomb", True)
    write("bomb-2147483647x1.png", png(2147483647, 1, zlib.compress(b"\x00")), "bomb", True)
    # JPEG: the baseline file with its frame header's size set to 65000 x 65000.
    j = bytearray(bases["baseline.jpg"]); i = j.index(b"\xff\xc0")
    j[i + 5:i + 9] = struct.pack(">HH", 65000, 65000)
    write("bomb-65000x65000.jpg", bytes(j), "bomb", True)
    # WebP: a VP8X canvas of 16384 x 16384 around the lossy image's data.
    w = bases["lossy.webp"]
    vp8 = w[12:]
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (16383).to_bytes(3, "little") + (16383).to_bytes(3, "little")
    body = b"WEBP" + vp8x + vp8
    write("bomb-16384x16384.webp", b"RIFF" + struct.pack("<I", len(body)) + body, "bomb", True)

    # Pillow's opinion: full load, truncated images not tolerated.
    pil = {}
    for name in truth:
        try:
            with Image.open(out + "/images/" + name) as im:
                im.load()
            pil[name] = False
        except Exception:
            pil[name] = True
    return truth, pil


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("winnow")
    parser.add_argument("--size", default="200x150")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    shutil.rmtree(args.folder, ignore_errors=True)
    truth, pil = generate(args.folder, width, height)
    start = time.monotonic()
    subprocess.run([args.winnow, "analyze", args.folder], check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    info = json.loads(subprocess.run([args.winnow, "info", args.folder, "--json"], check=True, capture_output=True, text=True).stdout)
    found = {p["image"]: p["problem"] for p in info["problems"]}
    print(f"{len(truth)} files of {width}x{height} pictures; winnow analyze took {seconds:.2f} s")
    by = collections.defaultdict(lambda: [0, 0, 0, 0])  # files, winnow flags, pillow flags, both
    miss = []
    for name, (kind, broken) in truth.items():
        w = name in found; p = pil[name]
        fmt = name.rsplit(".", 1)[1]
        key = (kind, fmt)
        by[key][0] += 1; by[key][1] += w; by[key][2] += p; by[key][3] += (w and p)
        if broken is True and not w: miss.append((name, "missed"))
        if broken is False and w: miss.append((name, "false: " + found[name]))
        if broken is None and w != p: miss.append((name, f"differs from Pillow (winnow {w}, pillow {p})" + (": " + found[name] if w else "")))
    print(f"{'kind':10} {'fmt':5} {'files':>5} {'winnow':>6} {'pillow':>6} {'both':>5}")
    for (kind, fmt), (n, w, p, b) in sorted(by.items()):
        print(f"{kind:10} {fmt:5} {n:5d} {w:6d} {p:6d} {b:5d}")
    for m in miss: print("  ", m[0], m[1][:200])


if __name__ == "__main__":
    main()
