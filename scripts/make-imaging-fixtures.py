#!/usr/bin/env python3
"""Regenerate the image fixtures of Tests/WinnowImagingTests/Fixtures/.

    python3 -m venv /tmp/imaging-venv
    /tmp/imaging-venv/bin/pip install pillow==13.0.0
    /tmp/imaging-venv/bin/python scripts/make-imaging-fixtures.py

Everything is drawn from fixed patterns and seeds, so two runs with the same Pillow
(and the libjpeg/libwebp it bundles) give byte-identical files. The outputs are
committed; the tests never run this script.

What the tests rely on (keep it in sync with ImagingFixtures.swift):

* The quadrant pattern: four flat colours, top-left red, top-right green,
  bottom-left blue, bottom-right yellow. Lossless fixtures are 8x6 (quadrants
  4x3) with one marker pixel (x=1, y=1) in white; lossy ones are 64x32
  (quadrants 32x16, aligned to JPEG's 16-pixel blocks so colours stay clean).
* orientation-N.jpg stores the 64x32 pattern transformed so that a viewer
  applying EXIF orientation N shows it upright. Odd N carry big-endian ("MM")
  EXIF, even N little-endian ("II").
* scene-*: procedural "photos" for the near-duplicate features; scene-a-* are
  re-encoded, resized and brightened copies of scene-a.
* Hostile files: truncated bodies (truncated.jpg keeps its headers and half its scan), a PNG whose IHDR (valid CRC) claims
  100000x100000, a JPEG whose SOF claims 60000x60000, random bytes behind a
  PNG signature, a zero-width PNG.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "Tests" / "WinnowImagingTests" / "Fixtures"

RED = (220, 30, 30)
GREEN = (30, 200, 60)
BLUE = (40, 60, 220)
YELLOW = (240, 220, 40)
WHITE = (255, 255, 255)


def quadrants(width: int, height: int, marker: bool) -> Image.Image:
    image = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    for y in range(height):
        for x in range(width):
            top, left = y < half_h, x < half_w
            colour = RED if top and left else GREEN if top else BLUE if left else YELLOW
            image.putpixel((x, y), colour)
    if marker:
        image.putpixel((1, 1), WHITE)
    return image


def write(name: str, data: bytes) -> None:
    (OUT / name).write_bytes(data)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# --- Raw PNG writing (for what Pillow cannot write: 16-bit RGB, hostile headers) ---

def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(width: int, height: int, bit_depth: int, colour_type: int, rows: list[bytes]) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    scanlines = b"".join(b"\x00" + row for row in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(scanlines, 9)) + chunk(b"IEND", b"")


def exif_orientation(value: int, big_endian: bool) -> bytes:
    """A minimal TIFF/EXIF block: IFD0 with one Orientation (0x0112, SHORT) entry."""
    order = ">" if big_endian else "<"
    header = (b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8)
    entry = struct.pack(order + "HHI", 0x0112, 3, 1) + struct.pack(order + "HH", value, 0)
    return header + struct.pack(order + "H", 1) + entry + struct.pack(order + "I", 0)


# Pillow's transpose operations that undo each orientation when displaying,
# and the inverse we apply to store the pattern (flips and transposes are self-inverse).
STORE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,    # displayed with ROTATE_270 (90 degrees clockwise)
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,   # displayed with ROTATE_90 (90 degrees counter-clockwise)
}


def scene(seed: int, width: int = 128, height: int = 96) -> Image.Image:
    """A procedural 'photo': a two-colour gradient sky and a few soft shapes."""
    rnd = random.Random(seed)
    top = tuple(rnd.randrange(256) for _ in range(3))
    bottom = tuple(rnd.randrange(256) for _ in range(3))
    image = Image.new("RGB", (width, height))
    for y in range(height):
        t = y / (height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom))
        for x in range(width):
            image.putpixel((x, y), colour)
    draw = ImageDraw.Draw(image)
    for _ in range(7):
        colour = tuple(rnd.randrange(256) for _ in range(3))
        x0, y0 = rnd.randrange(-20, width), rnd.randrange(-20, height)
        x1, y1 = x0 + rnd.randrange(15, 70), y0 + rnd.randrange(15, 60)
        if rnd.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1.0))
    noise = random.Random(seed + 1000)
    pixels = image.load()
    for y in range(height):
        for x in range(width):
            pixels[x, y] = tuple(max(0, min(255, c + noise.randint(-6, 6))) for c in pixels[x, y])
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()

    small = quadrants(8, 6, marker=True)
    large = quadrants(64, 32, marker=False)

    # PNG: every colour type Winnow meets in datasets.
    write("rgb.png", encoded(small, "PNG"))
    write("palette.png", encoded(small.convert("P", palette=Image.Palette.ADAPTIVE, colors=8), "PNG"))
    write("grey.png", encoded(small.convert("L"), "PNG"))
    write("grey-1bit.png", encoded(small.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1"), "PNG"))
    alpha = Image.new("L", small.size, 255)
    alpha.putpixel((0, 0), 0)      # fully transparent red
    alpha.putpixel((7, 0), 128)    # half-transparent green
    rgba = small.copy()
    rgba.putalpha(alpha)
    write("rgba.png", encoded(rgba, "PNG"))
    grey_alpha = small.convert("L")
    grey_alpha = Image.merge("LA", (grey_alpha, alpha))
    write("grey-alpha.png", encoded(grey_alpha, "PNG"))
    palette_alpha = small.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    write("palette-transparent.png", encoded(palette_alpha, "PNG", transparency=palette_alpha.getpixel((0, 0))))
    rows16 = []
    for y in range(small.height):
        row = b""
        for x in range(small.width):
            row += b"".join(struct.pack(">H", c * 257) for c in small.getpixel((x, y)))
        rows16.append(row)
    write("rgb16.png", raw_png(small.width, small.height, 16, 2, rows16))
    grey16 = [b"".join(struct.pack(">H", v * 257) for v in (small.convert("L").getpixel((x, y)) for x in range(8))) for y in range(6)]
    write("grey16.png", raw_png(8, 6, 16, 0, grey16))
    write("orientation-6.png", encoded(small, "PNG", exif=b"Exif\x00\x00" + exif_orientation(6, big_endian=False)))

    # JPEG: baseline, progressive, greyscale, CMYK (Adobe-inverted, as Photoshop and Pillow write it).
    write("baseline.jpg", encoded(large, "JPEG", quality=95, subsampling=0))
    write("progressive.jpg", encoded(large, "JPEG", quality=95, subsampling=0, progressive=True))
    write("subsampled.jpg", encoded(large, "JPEG", quality=90, subsampling=2))
    write("grey.jpg", encoded(large.convert("L"), "JPEG", quality=95))
    write("cmyk.jpg", encoded(large.convert("CMYK"), "JPEG", quality=95))
    for orientation, store in STORE_FOR_ORIENTATION.items():
        stored = large if store is None else large.transpose(store)
        exif = b"Exif\x00\x00" + exif_orientation(orientation, big_endian=orientation % 2 == 1)
        write(f"orientation-{orientation}.jpg", encoded(stored, "JPEG", quality=95, subsampling=0, exif=exif))

    # WebP: lossy, lossless, with alpha, with EXIF, animated.
    write("lossy.webp", encoded(large, "WEBP", quality=90))
    write("lossless.webp", encoded(small, "WEBP", lossless=True))
    write("alpha-lossless.webp", encoded(rgba, "WEBP", lossless=True, exact=True))
    large_rgba = large.copy()
    large_alpha = Image.new("L", large.size, 255)
    for y in range(16):
        for x in range(32):
            large_alpha.putpixel((x, y), 0)
    large_rgba.putalpha(large_alpha)
    write("alpha-lossy.webp", encoded(large_rgba, "WEBP", quality=90, alpha_quality=100))
    webp_stored = large.transpose(STORE_FOR_ORIENTATION[8])
    write("orientation-8.webp", encoded(webp_stored, "WEBP", lossless=True, exif=b"Exif\x00\x00" + exif_orientation(8, big_endian=False)))
    frames = [large, large.transpose(Image.Transpose.ROTATE_180)]
    write("animated.webp", encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True))

    # Near-duplicate material for the perceptual features.
    a = scene(1)
    write("scene-a.png", encoded(a, "PNG"))
    write("scene-a-q30.jpg", encoded(a, "JPEG", quality=30))
    write("scene-a-resized.jpg", encoded(a.resize((101, 76), Image.Resampling.LANCZOS), "JPEG", quality=85))
    write("scene-a-brighter.jpg", encoded(a.point(lambda v: min(255, v + 24)), "JPEG", quality=90))
    write("scene-a.webp", encoded(a, "WEBP", quality=75))
    for name, seed in (("b", 2), ("c", 3), ("d", 4), ("e", 5)):
        write(f"scene-{name}.jpg", encoded(scene(seed), "JPEG", quality=90))

    # Hostile input.
    rgb_png = (OUT / "rgb.png").read_bytes()
    write("truncated.png", rgb_png[: len(rgb_png) * 2 // 3])
    write("huge-ihdr.png", raw_png(100_000, 100_000, 8, 2, []))
    write("zero-width.png", raw_png(0, 6, 8, 2, []))
    noise = random.Random(7)
    write("random-after-signature.png", b"\x89PNG\r\n\x1a\n" + bytes(noise.randrange(256) for _ in range(300)))
    baseline = bytearray((OUT / "baseline.jpg").read_bytes())
    sof = baseline.index(b"\xff\xc0")
    baseline[sof + 5: sof + 9] = struct.pack(">HH", 60_000, 60_000)
    write("huge-dimensions.jpg", bytes(baseline))
    jpeg = (OUT / "baseline.jpg").read_bytes()
    scan = jpeg.index(b"\xff\xda")
    write("truncated.jpg", jpeg[: scan + (len(jpeg) - scan) // 2])  # headers intact, half the scan
    webp = (OUT / "lossy.webp").read_bytes()
    write("truncated.webp", webp[: len(webp) * 2 // 3])

    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} fixtures, {total} bytes, to {OUT}")


if __name__ == "__main__":
    main()
