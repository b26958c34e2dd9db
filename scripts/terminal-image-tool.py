#!/usr/bin/env python3
"""Byte-level helpers for scripts/check-terminal-images.sh (standard library only).

    terminal-image-tool.py images OUT --after N --dir D --prefix P
        Finds the images the TUI wrote to OUT (the pty log of scripts/pty-relay.py) after
        byte N: each is framed "ESC 7, CSI row;col H, the sixel DCS, ESC 8", possibly inside
        tmux passthrough DCSs ("ESC P tmux; ... ESC \\" with every inner ESC doubled).
        Writes each sixel DCS to D/P-K.six and prints one line per image:
        END_OFFSET ROW COL WIDTH HEIGHT PATH   (ROW, COL zero-based, in the cells of the
        terminal that draws it: outer-terminal cells when it came through tmux).

    terminal-image-tool.py review-cell ROWS COLUMNS WIDTH HEIGHT CELL_W CELL_H
        Where the review screen puts an image of WIDTH x HEIGHT pixels on a terminal (or
        tmux pane) of ROWS x COLUMNS cells: prints ROW COL, zero-based. Mirrors
        ReviewView.imageRect (body between the header row and the two footer rows, image
        pane 11/20 of it from 80 columns on, else the top half from 18 rows on, inset by
        one cell) and ImageLayout's centring; an independent expectation for the check.

    terminal-image-tool.py latency EVENTS TIMING OUT --key HEX
        For every key HEX sent (EVENTS), the time until the end of the first image written
        after it (TIMING gives each chunk's time). Prints one line per press, then
        "p50 MS p95 MS max MS n N".

    terminal-image-tool.py contains OUT --after N TEXT
        Exit 0 when TEXT (UTF-8) occurs in OUT after byte N.

    terminal-image-tool.py pixels SHOT.ppm --background RRGGBB [--pane X Y W H]
                           [--image PPM X Y]... [--compare A.ppm B.ppm]
        One pass over a screenshot (binary PPM) for scripts/check-review-pixels.sh: for each
        image, the RMSE (0–1, as ImageMagick's normalised RMSE) of the screenshot at (X, Y)
        against it; the share of the pane's pixels outside the images that are background;
        and how many distinct colours the screenshot has outside the images; with
        --compare, the RMSE of two images of the same size (a decoded sixel and the source
        scaled). Prints "rmse R… share S colours C [compare R]". (ImageMagick would take a
        process per figure, which on a loaded machine costs seconds.)
"""
import argparse
import math
import os
import re
import sys

ESC = 0x1B
FRAMED = re.compile(rb"\x1b7\x1b\[(\d+);(\d+)H(\x1bP[0-9;]*q[^\x1b]*\x1b\\)\x1b8")
RASTER = re.compile(rb'"\d+;\d+;(\d+);(\d+)')


def unwrap_tmux(data):
    """data with every tmux passthrough DCS replaced by its payload (positions kept
    roughly: the payload is placed where the wrapper ended, for END_OFFSET)."""
    out = bytearray()
    ends = []  # (offset in out, offset in data) after each unwrapped wrapper
    header = b"\x1bPtmux;"
    i = 0
    while True:
        j = data.find(header, i)
        if j < 0:
            out += data[i:]
            break
        out += data[i:j]
        k = j + len(header)
        payload = bytearray()
        complete = False
        while k + 1 < len(data):
            if data[k] == ESC:
                if data[k + 1] == ESC:
                    payload.append(ESC)
                    k += 2
                    continue
                if data[k + 1] == ord("\\"):
                    complete = True
                    k += 2
                    break
            payload.append(data[k])
            k += 1
        if not complete:
            break  # an unfinished wrapper: not written yet
        out += payload
        ends.append((len(out), k))
        i = k
    return bytes(out), ends


def read_after(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read()
    except FileNotFoundError:
        return b""  # the relay has not started yet


def images(args):
    data = read_after(args.out, args.after)
    plain, ends = unwrap_tmux(data)
    os.makedirs(args.dir, exist_ok=True)
    for index, match in enumerate(FRAMED.finditer(plain)):
        sixel = match.group(3)
        raster = RASTER.search(sixel[:64])
        width, height = (int(raster.group(1)), int(raster.group(2))) if raster else (0, 0)
        end = match.end()
        # Map the end back to a byte offset of OUT (through the wrappers when there were any).
        raw_end = end
        for plain_end, data_end in ends:
            if plain_end >= end:
                raw_end = data_end
                break
        else:
            if ends:
                raw_end = ends[-1][1] + (end - ends[-1][0])
        path = os.path.join(args.dir, f"{args.prefix}-{index}.six")
        with open(path, "wb") as f:
            f.write(sixel)
        print(args.after + raw_end, int(match.group(1)) - 1, int(match.group(2)) - 1, width, height, path)


def review_cell(args):
    rows, columns = args.rows, args.columns
    body_y, body_height = 1, rows - 3
    if columns >= 80:
        pane_width, pane_height = columns * 11 // 20, body_height
    elif body_height >= 18:
        pane_width, pane_height = columns, body_height // 2
    else:
        sys.exit("no image pane at this size")
    rect_x, rect_y, rect_w, rect_h = 1, body_y + 1, pane_width - 2, pane_height - 2
    used_rows = min(rect_h, math.ceil(args.height / args.cell_h))
    used_cols = min(rect_w, math.ceil(args.width / args.cell_w))
    print(rect_y + (rect_h - used_rows) // 2, rect_x + (rect_w - used_cols) // 2)


def latency(args):
    chunks = []  # (end offset, time)
    total = 0
    with open(args.timing) as f:
        for line in f:
            t, n = line.split()
            total += int(n)
            chunks.append((total, float(t)))
    with open(args.out, "rb") as f:
        data = f.read()
    plain_ends = [m.end() for m in FRAMED.finditer(data)]
    presses = []
    with open(args.events) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[2] == "key" and parts[3] == args.key:
                presses.append((float(parts[0]), int(parts[1])))
    results = []
    for t_key, offset in presses:
        end = next((e for e in plain_ends if e > offset), None)
        if end is None:
            print(f"press at {t_key:.3f}: no image followed")
            continue
        t_end = next(t for (cum, t) in chunks if cum >= end)
        results.append((t_end - t_key) * 1000)
        print(f"press {len(results):2d}: {results[-1]:7.1f} ms")
    if not results:
        sys.exit("no presses followed by an image")
    ordered = sorted(results)

    def pct(p):
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    print(f"p50 {pct(50):.1f} p95 {pct(95):.1f} max {ordered[-1]:.1f} n {len(ordered)}")


def contains(args):
    data = read_after(args.out, args.after)
    sys.exit(0 if args.text.encode() in unwrap_tmux(data)[0] else 1)


def read_ppm(path):
    """(width, height, rows as bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, i = [], 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] not in (b"\n", b""):
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    if fields[0] != b"P6" or fields[3] != b"255":
        sys.exit(f"{path}: not a binary 8-bit PPM")
    width, height = int(fields[1]), int(fields[2])
    i += 1
    stride = width * 3
    return width, height, [data[i + y * stride:i + (y + 1) * stride] for y in range(height)]


def pixels(args):
    width, height, shot = read_ppm(args.shot)
    background = bytes.fromhex(args.background.lstrip("#"))
    rects = []
    results = []
    for path, x, y in args.image:
        x, y = int(x), int(y)
        w, h, image = read_ppm(path)
        rects.append((x, y, w, h))
        total, n = 0, 0
        for row in range(h):
            if y + row >= height:
                total += len(image[row]) * 255 * 255
                n += len(image[row])
                continue
            a = shot[y + row][x * 3:(x + w) * 3]
            b = image[row]
            n += len(b)
            if a != b:
                if len(a) < len(b):
                    total += (len(b) - len(a)) * 255 * 255
                total += sum((p - q) * (p - q) for p, q in zip(a, b))
        results.append(math.sqrt(total / max(n, 1)) / 255)

    def outside(y):
        """The [start, end) pixel spans of row y outside every image."""
        spans, start = [], 0
        for x, ry, w, h in sorted(rects):
            if ry <= y < ry + h and x + w > start:
                if x > start:
                    spans.append((start, x))
                start = max(start, x + w)
        if start < width:
            spans.append((start, width))
        return spans

    share = 1.0
    if args.pane:
        px, py, pw, ph = args.pane
        inside = matching = 0
        for y in range(py, min(py + ph, height)):
            for start, end in outside(y):
                start, end = max(start, px), min(end, px + pw)
                if end <= start:
                    continue
                segment = shot[y][start * 3:end * 3]
                inside += end - start
                if segment == background * (end - start):
                    matching += end - start
                else:
                    matching += sum(1 for p in zip(segment[0::3], segment[1::3], segment[2::3]) if bytes(p) == background)
        share = matching / inside if inside else 1.0
    colours = set()
    for y in range(height):
        for start, end in outside(y):
            segment = shot[y][start * 3:end * 3]
            colours.update(zip(segment[0::3], segment[1::3], segment[2::3]))
    line = "rmse " + " ".join(f"{r:.6f}" for r in results) + f" share {share:.6f} colours {len(colours)}"
    if args.compare:
        (aw, ah, a), (bw, bh, b) = read_ppm(args.compare[0]), read_ppm(args.compare[1])
        if (aw, ah) != (bw, bh):
            line += " compare 1"
        else:
            total = sum((p - q) * (p - q) for ra, rb in zip(a, b) if ra != rb for p, q in zip(ra, rb))
            line += f" compare {math.sqrt(total / (aw * ah * 3)) / 255:.6f}"
    print(line)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("images")
    p.add_argument("out")
    p.add_argument("--after", type=int, default=0)
    p.add_argument("--dir", required=True)
    p.add_argument("--prefix", default="image")
    p.set_defaults(run=images)
    p = sub.add_parser("review-cell")
    for name in ("rows", "columns", "width", "height", "cell_w", "cell_h"):
        p.add_argument(name, type=int)
    p.set_defaults(run=review_cell)
    p = sub.add_parser("latency")
    p.add_argument("events")
    p.add_argument("timing")
    p.add_argument("out")
    p.add_argument("--key", default="6a")
    p.set_defaults(run=latency)
    p = sub.add_parser("contains")
    p.add_argument("out")
    p.add_argument("--after", type=int, default=0)
    p.add_argument("text")
    p.set_defaults(run=contains)
    p = sub.add_parser("pixels")
    p.add_argument("shot")
    p.add_argument("--background", required=True)
    p.add_argument("--pane", type=int, nargs=4)
    p.add_argument("--image", nargs=3, action="append", default=[])
    p.add_argument("--compare", nargs=2)
    p.set_defaults(run=pixels)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
