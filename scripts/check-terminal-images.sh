#!/usr/bin/env bash
# Pixel check of the review screen's images in a real sixel terminal, headless.
#
#   scripts/check-terminal-images.sh [WINNOW_BIN]        (or WINNOW_BIN=… in the environment)
#
# Runs `winnow review` on a copy of SampleProjects/shapes in xterm (VT340 graphics, 256
# colour registers, window ops allowed so CSI 14t/16t answer) under Xvfb, sends keys, takes
# screenshots and finds the images in them with ImageMagick:
#
#   xterm    auto detection picks sixel (and `winnow doctor` says why); the first item's
#            image is where the TUI said and where the layout puts it, pixel for pixel what
#            the TUI sent (its sixel bytes decoded with sixel2png) and close to the source
#            image scaled by ImageMagick; `j` replaces it with the next item's (made wider
#            here, so the old, taller image must be cleared); `c` shows the near-duplicate
#            grid with its label rows still readable; `?` (help) leaves no image pixels;
#            Escape brings the image back; zoom `z` and back clears the large image; the
#            class picker popup (`/`) opens beside the image, which stays; Escape closes it.
#   latency  20 presses of `j`: time from the key to the end of the next image's bytes.
#   tmux     inside tmux 3.3a in that xterm, with `allow-passthrough on`, the pane moved
#            right and down (a left pane, status line on top): images arrive through the
#            passthrough at the pane's place, and follow the pane when it moves; with
#            passthrough off the TUI falls back to half blocks and its header says how to
#            get images (set -g allow-passthrough on).
#
# Installs nothing and builds nothing. Exit status: 0 all passed, 1 a scenario failed,
# 2 usage, 77 a tool is missing (the apt-get line to install it is printed).
# Screenshots and logs stay in $CHECK_DIR (default: a new /tmp/winnow-terminal-check.*).
set -u

# ---------------------------------------------------------------------------- setup ---
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
winnow=${1:-${WINNOW_BIN:-}}
if [[ -z "$winnow" || ! -x "$winnow" ]]; then
    echo "usage: $0 WINNOW_BIN   (or set WINNOW_BIN; build it first, e.g. swift build)" >&2
    exit 2
fi
winnow=$(cd "$(dirname "$winnow")" && pwd)/$(basename "$winnow")

missing=()
for tool in Xvfb xterm import compare convert identify sixel2png tmux python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "missing: ${missing[*]}"
    echo "install: apt-get install -y --no-install-recommends xvfb xterm imagemagick libsixel-bin tmux python3"
    exit 77
fi

work=${CHECK_DIR:-$(mktemp -d /tmp/winnow-terminal-check.XXXXXX)}
mkdir -p "$work"
relay="$here/pty-relay.py"
tool="$here/terminal-image-tool.py"
socket="winnow-check-$$"          # a tmux server of our own, never the user's
pids=()                           # every background process we start, killed on exit
failures=0
results=()

cleanup() {
    tmux -L "$socket" kill-server >/dev/null 2>&1
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { printf '%s\n' "$*"; }
pass() { results+=("PASS  $1"); log "PASS  $1"; }
fail() { results+=("FAIL  $1"); log "FAIL  $1"; failures=$((failures + 1)); }

# poll SECONDS COMMAND…: run COMMAND every 0.1 s until it succeeds; fails after SECONDS.
poll() {
    local limit=$1; shift
    local deadline=$((SECONDS + limit))
    until "$@"; do
        ((SECONDS >= deadline)) && return 1
        sleep 0.1
    done
}

# ------------------------------------------------------------------- the X display ---
# -displayfd makes Xvfb pick a free display number and tell us: no clash with another
# X server or another run of this check. -noreset: by default Xvfb resets when its last
# client leaves, and an xterm connecting during that reset is refused.
Xvfb -displayfd 5 -screen 0 1280x900x24 -nolisten tcp -noreset 5>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
poll 10 test -s "$work/display" || { log "Xvfb did not start (see $work/xvfb.log)"; exit 1; }
export DISPLAY=":$(head -1 "$work/display")"

# The sample project, copied: the check records nothing in the repository's copy.
project="$work/shapes"
rm -rf "$project"
cp -r "$repo/SampleProjects/shapes" "$project"
rm -rf "$project/.winnow"
"$winnow" queue "$project" --limit 2 --format jsonl >"$work/queue.jsonl" 2>"$work/queue.log" || {
    log "winnow queue failed: $(cat "$work/queue.log")"; exit 1; }
first=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["image"])' <"$work/queue.jsonl")
second=$(python3 -c 'import json,sys; sys.stdin.readline(); print(json.loads(sys.stdin.readline())["image"])' <"$work/queue.jsonl")
# Make the second item's image twice as wide as it is high: after `j` the new image is
# shorter than the old one, so the old one's rows above and below must be cleared.
convert "$project/images/$second" -resize '200%x100%!' "$project/images/$second"
log "items: 1 = $first, 2 = $second (widened to $(identify -format %wx%h "$project/images/$second"))"

# xterm as in the graphics notes. No border and no internal border: the text area starts
# at the window's top-left pixel, so cell (r, c) starts at (c·cellw, r·cellh) in the
# screenshot. Variables of an outer terminal or multiplexer are dropped: detection must
# work from the terminal's answers alone.
start_xterm() { # NAME COMMAND…  (the command runs inside the relay, which logs NAME.out)
    local name=$1; shift
    rm -f "$work/$name".{out,timing,events,keys}
    mkfifo "$work/$name.keys"
    env -u TMUX -u TMUX_PANE -u STY -u TERM_PROGRAM -u TERM_PROGRAM_VERSION -u COLORTERM \
        -u KITTY_WINDOW_ID -u WEZTERM_EXECUTABLE -u LC_TERMINAL -u WINNOW_REVIEWER \
        xterm -xrm 'XTerm*decGraphicsID: vt340' -xrm 'XTerm*numColorRegisters: 256' \
        -xrm 'XTerm*maxGraphicSize: 2000x2000' -xrm 'XTerm*allowWindowOps: true' \
        -xrm 'XTerm*internalBorder: 0' -bw 0 -geometry 120x40+0+0 \
        -e "$@" >"$work/$name.xterm.log" 2>&1 &
    pids+=($!)
}
relayed() { # NAME → the relay command line for NAME's logs
    echo python3 "$relay" --log "$work/$1.out" --timing "$work/$1.timing" --keys "$work/$1.keys" --events "$work/$1.events" --
}
# send NAME KEYS: type KEYS (printf %b escapes) into NAME's TUI. Opening a FIFO blocks
# until the relay has it open: give up after 5 s if the relay is gone.
send() { timeout 5 bash -c 'printf "%b" "$1" >"$2"' _ "$2" "$work/$1.keys" || log "      (could not send keys to $1)"; }
out_size() { stat -c %s "$work/$1.out" 2>/dev/null || echo 0; }
shot() { import -window root "$work/$1.png"; }

# images NAME AFTER PREFIX → lines "END ROW COL W H PATH" of the images written after AFTER
images() { python3 "$tool" images "$work/$1.out" --after "$2" --dir "$work/sixel" --prefix "$3"; }
# wait_images NAME AFTER COUNT PREFIX: poll until COUNT images were written after AFTER
wait_images() { poll 20 eval "[[ \$(images $1 $2 $4 | wc -l) -ge $3 ]]"; }

# rmse A B → normalised RMSE of two images of the same size
rmse() { compare -metric RMSE "$1" "$2" null: 2>&1 | sed -n 's/.*(\(.*\)).*/\1/p'; }

# locate SHOT PNG X Y: search PNG in SHOT within 24 px of (X, Y). Prints
# "FOUND_X FOUND_Y RMSE_THERE RMSE_AT_X_Y".
locate() {
    local shot=$1 png=$2 x=$3 y=$4 m=24
    local w h; read -r w h < <(identify -format '%w %h\n' "$png")
    local cx=$((x > m ? x - m : 0)) cy=$((y > m ? y - m : 0))
    convert "$shot" -crop "$((w + 2 * m))x$((h + 2 * m))+$cx+$cy" +repage "$shot.search.png"
    local found; found=$(compare -metric RMSE -subimage-search "$shot.search.png" "$png" null: 2>&1 | tr '\n' ' ')
    local norm fx fy
    norm=$(sed -n 's/.*(\([^)]*\)) @ .*/\1/p' <<<"$found")
    fx=$(sed -n 's/.* @ \([0-9]*\),\([0-9]*\).*/\1/p' <<<"$found")
    fy=$(sed -n 's/.* @ \([0-9]*\),\([0-9]*\).*/\2/p' <<<"$found")
    convert "$shot" -crop "${w}x${h}+$x+$y" +repage "$shot.at.png"
    echo "$((cx + ${fx:-0})) $((cy + ${fy:-0})) ${norm:-1} $(rmse "$shot.at.png" "$png")"
}
lt() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }

# colours SHOT X Y W H → distinct colours in that rectangle (text: a few; an image: many)
colours() { convert "$1" -crop "$4x$5+$2+$3" +repage -format %k info:; }
# background_share SHOT X Y W H → share of the rectangle in the terminal's background colour
background_share() {
    convert "$1" -crop "$4x$5+$2+$3" +repage -fill black +opaque "$background" -fill white -opaque "$background" \
        -format '%[fx:mean]' info:
}

# check_image LABEL NAME SHOT LINE SOURCE [EXPECTED_ROW EXPECTED_COL]
# LINE is one line of `images`. The image must be found where the TUI put it (and where the
# layout says, when given), match the decoded sixel (RMSE < 0.01) and the source image
# scaled by ImageMagick to the same size (RMSE < 0.06: two different resamplers, a
# 256-colour palette).
check_image() {
    local label=$1 shot=$3 line=$4 source=$5 erow=${6:-} ecol=${7:-}
    local end row col w h six; read -r end row col w h six <<<"$line"
    sixel2png <"$six" >"${six%.six}.png"
    convert "$source" -filter Triangle -resize "${w}x${h}!" "${six%.six}.source.png"
    local x=$((col * cell_w)) y=$((row * cell_h))
    local fx fy found at; read -r fx fy found at < <(locate "$shot" "${six%.six}.png" "$x" "$y")
    local source_at; source_at=$(rmse "$shot.at.png" "${six%.six}.source.png")
    log "      $label: ${w}x${h} px sent for cell ($row, $col) = pixel ($x, $y); found at ($fx, $fy)" \
        "RMSE $found; at the expected place: vs decoded sixel $at, vs source scaled by ImageMagick $source_at"
    local ok=1
    [[ -n "$erow" && ( "$row" != "$erow" || "$col" != "$ecol" ) ]] && { log "      expected cell ($erow, $ecol) from the layout"; ok=0; }
    [[ "$fx" == "$x" && "$fy" == "$y" ]] || ok=0
    lt "$at" 0.01 || ok=0
    lt "$source_at" 0.06 || ok=0
    ((ok)) && pass "$label" || fail "$label"
    last_x=$x last_y=$y last_w=$w last_h=$h
}

# wait_shown NAME SHOT LINE: poll screenshots until the image of LINE is on screen (the
# terminal draws a moment after the bytes arrive).
wait_shown() {
    local name=$1 shot=$2 line=$3
    local end row col w h six; read -r end row col w h six <<<"$line"
    sixel2png <"$six" >"${six%.six}.png"
    local x=$((col * cell_w)) y=$((row * cell_h))
    poll 10 eval "shot $shot; convert $work/$shot.png -crop ${w}x${h}+$x+$y +repage $work/$shot.probe.png;
                  lt \$(rmse $work/$shot.probe.png ${six%.six}.png) 0.01"
}

# ------------------------------------------------------------- winnow doctor in xterm ---
log "== doctor in xterm"
start_xterm doctor $(relayed doctor) sh -c "'$winnow' doctor >'$work/doctor.txt' 2>&1"
poll 20 grep -q ' exit ' "$work/doctor.events" 2>/dev/null
sed 's/^/      /' "$work/doctor.txt"
if grep -qi 'images: sixel' "$work/doctor.txt"; then pass "doctor: xterm (vt340) detected as sixel"; else fail "doctor: xterm (vt340) detected as sixel"; fi
read -r cell_w cell_h < <(grep -o 'cell size [0-9]*×[0-9]* px' "$work/doctor.txt" | head -1 | sed 's/cell size \([0-9]*\)×\([0-9]*\) px/\1 \2/')
if [[ -z "${cell_w:-}" ]]; then log "no cell size in the doctor report"; exit 1; fi
log "      cell size: ${cell_w}x${cell_h} px"

# --------------------------------------------------------------- review in xterm ---
log "== review in xterm, --graphics auto"
start_xterm x $(relayed x) "$winnow" review "$project" --graphics auto --reviewer check
wait_images x 0 1 x0 || { fail "xterm: no image written"; exit 1; }
line=$(images x 0 x0 | tail -1)
read -r _ _ _ w h _ <<<"$line"
read -r erow ecol < <(python3 "$tool" review-cell 40 120 "$w" "$h" "$cell_w" "$cell_h")
wait_shown x x1 "$line"
# The terminal's background: the commonest colour in its window.
background=$(convert "$work/x1.png" -crop "$((120 * cell_w))x$((40 * cell_h))+0+0" +repage -format %c histogram:info: |
    sort -rn | head -1 | grep -o '#[0-9A-Fa-f]\{6\}' | head -1)
# The header bar's colour (its first cell), to find the TUI's header inside tmux.
header_colour=$(convert "$work/x1.png" -format "%[pixel:p{1,$((cell_h / 2))}]" info:)
log "      terminal background $background, header bar $header_colour"
if python3 "$tool" contains "$work/x.out" 'check · sixel'; then pass "xterm: header says sixel"; else fail "xterm: header says sixel"; fi
check_image "xterm: first item's image" x "$work/x1.png" "$line" "$project/images/$first" "$erow" "$ecol"
first_x=$last_x first_y=$last_y first_w=$last_w first_h=$last_h

log "== j: the next item"
after=$(out_size x); send x j
wait_images x "$after" 1 x1 || fail "xterm j: no image written"
line=$(images x "$after" x1 | tail -1)
read -r _ _ _ w h _ <<<"$line"
read -r erow ecol < <(python3 "$tool" review-cell 40 120 "$w" "$h" "$cell_w" "$cell_h")
wait_shown x x2 "$line"
check_image "xterm j: next item's image" x "$work/x2.png" "$line" "$project/images/$second" "$erow" "$ecol"
# The rows of the old (taller) image above and below the new one: background only.
above=$(background_share "$work/x2.png" "$first_x" "$first_y" "$first_w" $((last_y - first_y)))
below=$(background_share "$work/x2.png" "$first_x" $((last_y + last_h)) "$first_w" $((first_y + first_h - last_y - last_h)))
log "      old image's area outside the new one: background share above $above, below $below"
if lt 0.98 "$above" && lt 0.98 "$below"; then pass "xterm j: the old, taller image is cleared"; else fail "xterm j: the old, taller image is cleared"; fi
second_line=$line

log "== c: near-duplicate grid"
# GridLayout: the grid starts 2 rows into the body (row 3); tiles are as large as fit the
# group on screen, each with a label row under it: the row under the first grid sixel.
after=$(out_size x); send x c
if wait_images x "$after" 1 xc; then
    shot xc
    while read -r gline; do
        wait_shown x xc "$gline" || true
        read -r _ row col w h six <<<"$gline"
        # (the thumbnails of a grid row are one sixel: "source" here is the decoded sixel)
        check_image "xterm c: grid row at cell ($row, $col), $w x $h px" x "$work/xc.png" "$gline" "${six%.six}.png"
    done < <(images x "$after" xc)
    # The first label row, under the sample's group's thumbnails, must still be text on
    # the background (an image over it would make it image pixels, or black).
    read -r _ grow gcol gw gh _ < <(images x "$after" xc | head -1)
    label_row=$((grow + (gh + cell_h - 1) / cell_h))
    label=$(background_share "$work/xc.png" $((gcol * cell_w)) $((label_row * cell_h)) "$gw" "$cell_h")
    log "      label row $label_row under the thumbnails: background share $label"
    if lt 0.5 "$label"; then pass "xterm c: the label row under the thumbnails stays visible"; else fail "xterm c: the label row under the thumbnails stays visible"; fi
else
    fail "xterm c: no grid written"
fi

log "== Escape, ?: help hides the image"
after=$(out_size x); send x '\033'
wait_images x "$after" 1 xe && wait_shown x x3 "$(images x "$after" xe | tail -1)"
send x '?'
if poll 10 eval "shot x4; [[ \$(colours $work/x4.png $last_x $last_y $last_w $last_h) -le 16 ]]"; then
    pass "xterm ?: no image pixels left under the help screen ($(colours "$work/x4.png" "$last_x" "$last_y" "$last_w" "$last_h") colours there)"
else
    fail "xterm ?: no image pixels left under the help screen ($(colours "$work/x4.png" "$last_x" "$last_y" "$last_w" "$last_h") colours there)"
fi

log "== Escape: the image again"
after=$(out_size x); send x '\033'
if wait_images x "$after" 1 xb; then
    line=$(images x "$after" xb | tail -1)
    wait_shown x x5 "$line"
    check_image "xterm Escape: the image is back" x "$work/x5.png" "$line" "$project/images/$second"
else
    fail "xterm Escape: the image is back"
fi

log "== z, Escape: a larger image, then the smaller one again"
after=$(out_size x); send x z
wait_images x "$after" 1 xz && { zline=$(images x "$after" xz | tail -1); wait_shown x x6 "$zline"; }
read -r _ zrow zcol zw zh _ <<<"${zline:-0 0 0 0 0 x}"
after=$(out_size x); send x '\033'
if wait_images x "$after" 1 xy; then
    line=$(images x "$after" xy | tail -1)
    wait_shown x x7 "$line"
    check_image "xterm zoom back: the image in the review pane" x "$work/x7.png" "$line" "$project/images/$second"
    # Where the zoomed image was: in the image pane above and below the review image only
    # background; over the info pane only text (a few colours).
    zx=$((zcol * cell_w)) zy=$((zrow * cell_h))
    pane_right=$((first_x + first_w))
    above=$(background_share "$work/x7.png" "$zx" "$zy" $((pane_right - zx)) $((last_y - zy)))
    below=$(background_share "$work/x7.png" "$zx" $((last_y + last_h)) $((pane_right - zx)) $((zy + zh - last_y - last_h)))
    text=$(colours "$work/x7.png" $((pane_right + cell_w)) "$zy" $((zx + zw - pane_right - cell_w)) "$zh")
    log "      zoomed image's area: background share above $above, below $below; $text colours over the info pane"
    if lt 0.98 "$above" && lt 0.98 "$below" && ((text <= 16)); then
        pass "xterm zoom back: the larger image is cleared"
    else
        fail "xterm zoom back: the larger image is cleared"
    fi
else
    fail "xterm zoom back: the image in the review pane"
fi

log "== /: the class picker opens beside the image, Escape closes it"
# The popup opens in the info pane: the image stays on screen, untouched.
picker_line=$(images x 0 xq | tail -1)
send x /
poll 10 python3 "$tool" contains "$work/x.out" 'Relabel to' || fail "xterm /: no picker drawn"
wait_shown x x8 "$picker_line"
check_image "xterm /: the image stays beside the picker" x "$work/x8.png" "$picker_line" "$project/images/$second"
after=$(out_size x); send x '\033'
if wait_images x "$after" 1 xp; then
    line=$(images x "$after" xp | tail -1)
    wait_shown x x9 "$line"
    check_image "xterm Escape from the popup: the image is back" x "$work/x9.png" "$line" "$project/images/$second"
else
    fail "xterm Escape from the popup: the image is back"
fi
send x q
poll 10 grep -q ' exit ' "$work/x.events"

# ------------------------------------------------------------------------- latency ---
# From `j` to the end of the next image's bytes, as the relay reads them from the pty.
# Between presses the check waits until winnow is idle (CPU time unchanged for 0.3 s),
# i.e. it has prepared the next items (prefetch), as it would while a person looks.
log "== latency: 20 presses of j in xterm"
start_xterm lat $(relayed lat) "$winnow" review "$project" --graphics auto --reviewer check
wait_images lat 0 1 l0 || fail "latency: no first image"
winnow_pid=$(awk '$3 == "pid" { print $4; exit }' "$work/lat.events")
cpu() { awk '{ print $14 + $15 }' "/proc/$winnow_pid/stat" 2>/dev/null; }
idle() { local a b c; a=$(cpu); sleep 0.1; b=$(cpu); sleep 0.1; c=$(cpu); sleep 0.1; [[ "$a" == "$(cpu)" && "$a" == "$b" && "$b" == "$c" ]]; }
for i in $(seq 1 20); do
    poll 10 idle
    after=$(out_size lat); send lat j
    wait_images lat "$after" 1 "l$i" || { fail "latency: press $i drew no image"; break; }
done
send lat q
poll 10 grep -q ' exit ' "$work/lat.events"
python3 "$tool" latency "$work/lat.events" "$work/lat.timing" "$work/lat.out" --key 6a | tee "$work/latency.txt" | sed 's/^/      /'
pass "latency measured: $(tail -1 "$work/latency.txt") (ms)"

# ---------------------------------------------------------------------------- tmux ---
# tmux config: passthrough as asked, the status line on top (the pane starts one row
# down), 256 colours, Escape passed on at once. With SPLIT=yes a left pane of 30 columns
# moves ours 31 columns right.
tmux_run() { # NAME PASSTHROUGH SPLIT
    local name=$1 passthrough=$2 split=$3
    cat >"$work/tmux-$name.conf" <<EOF
set -g allow-passthrough $passthrough
set -g status-position top
set -g default-terminal screen-256color
set -g escape-time 10
EOF
    tmux -L "$socket" kill-server >/dev/null 2>&1
    local review="$(relayed "$name") $winnow review $project --graphics auto --reviewer check"
    if [[ $split == yes ]]; then
        start_xterm "$name" tmux -L "$socket" -f "$work/tmux-$name.conf" new-session -n check \
            "sh -c 'echo left pane; exec sleep 100000'" \; split-window -h -l 89 "$review"
        pane=check.1
    else
        start_xterm "$name" tmux -L "$socket" -f "$work/tmux-$name.conf" new-session -n check "$review"
        pane=check.0
    fi
}
pane_origin() { # → "ROW COL ROWS COLS" of the pane running winnow, in outer cells
    tmux -L "$socket" display -p -t "$pane" '#{pane_top} #{pane_left} #{pane_height} #{pane_width}' |
        awk '{ print $1 + 1, $2, $3, $4 }'   # + 1: the status line on top
}
# header_at ROW COL SHOT: the TUI's header bar (one coloured row across the pane) starts
# at that outer cell: its colour there and at the pane's right end, not on the row below
# nor in the cell to the left (the pane border) nor above (tmux's status line). An
# independent check of the pane origin, from which the image checks derive positions.
header_at() {
    local row=$1 col=$2 shot=$3
    pixel() { convert "$shot" -format "%[pixel:p{$(($2 * cell_w + 1)),$(($1 * cell_h + cell_h / 2))}]" info:; }
    local bar; bar=$(pixel "$row" "$col")
    [[ "$bar" != "$(convert xc:"$background" -format '%[pixel:p{0,0}]' info:)" &&
       "$bar" == "$(pixel "$row" $((col + pcols - 2)))" && "$bar" != "$(pixel $((row + 1)) "$col")" &&
       "$bar" != "$(pixel "$row" $((col - 1)))" && "$bar" != "$(pixel $((row - 1)) "$col")" ]]
}

log "== tmux 3.3a in xterm, allow-passthrough on, pane at a non-zero origin"
tmux_run tp on yes
if wait_images tp 0 1 t0; then
    read -r orow ocol prows pcols < <(pane_origin)
    log "      pane origin (outer cells): row $orow, column $ocol; pane ${pcols}x${prows}"
    line=$(images tp 0 t0 | tail -1)
    read -r _ _ _ w h _ <<<"$line"
    read -r erow ecol < <(python3 "$tool" review-cell "$prows" "$pcols" "$w" "$h" "$cell_w" "$cell_h")
    wait_shown tp t1 "$line"
    if header_at "$orow" "$ocol" "$work/t1.png"; then pass "tmux: the TUI's header is at the pane origin ($orow, $ocol)"; else fail "tmux: the TUI's header is at the pane origin ($orow, $ocol)"; fi
    check_image "tmux passthrough: first item's image at the pane's place" tp "$work/t1.png" "$line" "$project/images/$first" $((orow + erow)) $((ocol + ecol))
    if python3 "$tool" contains "$work/tp.out" 'sixel'; then pass "tmux passthrough: header says sixel"; else fail "tmux passthrough: header says sixel"; fi

    after=$(out_size tp); send tp j
    if wait_images tp "$after" 1 t1; then
        line=$(images tp "$after" t1 | tail -1)
        read -r _ _ _ w h _ <<<"$line"
        read -r erow ecol < <(python3 "$tool" review-cell "$prows" "$pcols" "$w" "$h" "$cell_w" "$cell_h")
        wait_shown tp t2 "$line"
        check_image "tmux passthrough j: next item's image" tp "$work/t2.png" "$line" "$project/images/$second" $((orow + erow)) $((ocol + ecol))
    else
        fail "tmux passthrough j: no image"
    fi

    send tp '?'
    if poll 10 eval "shot t3; [[ \$(colours $work/t3.png $last_x $last_y $last_w $last_h) -le 16 ]]"; then
        pass "tmux passthrough ?: no image pixels left under the help screen"
    else
        fail "tmux passthrough ?: no image pixels left under the help screen"
    fi
    after=$(out_size tp); send tp '\033'
    if wait_images tp "$after" 1 t4; then
        line=$(images tp "$after" t4 | tail -1); wait_shown tp t4 "$line"
        check_image "tmux passthrough Escape: the image is back" tp "$work/t4.png" "$line" "$project/images/$second" $((orow + erow)) $((ocol + ecol))
    else
        fail "tmux passthrough Escape: the image is back"
    fi

    # Move the pane: a narrower left pane shifts ours left. winnow gets SIGWINCH, asks
    # tmux where the pane is now, and draws there.
    after=$(out_size tp)
    tmux -L "$socket" resize-pane -t check.0 -x 20
    if wait_images tp "$after" 1 t5; then
        read -r orow ocol prows pcols < <(pane_origin)
        log "      pane moved to row $orow, column $ocol; pane ${pcols}x${prows}"
        line=$(images tp "$after" t5 | tail -1)
        read -r _ _ _ w h _ <<<"$line"
        read -r erow ecol < <(python3 "$tool" review-cell "$prows" "$pcols" "$w" "$h" "$cell_w" "$cell_h")
        wait_shown tp t5 "$line"
        check_image "tmux passthrough: the image follows the pane when it moves" tp "$work/t5.png" "$line" "$project/images/$second" $((orow + erow)) $((ocol + ecol))
    else
        fail "tmux passthrough: no image after the pane moved"
    fi
    send tp q
    poll 10 grep -q ' exit ' "$work/tp.events"
else
    fail "tmux passthrough: no image written"
fi

log "== tmux 3.3a in xterm, allow-passthrough off"
tmux_run tb off no
if poll 20 python3 "$tool" contains "$work/tb.out" 'set -g allow-passthrough on'; then
    pass "tmux without passthrough: header says blocks and how to get images (set -g allow-passthrough on)"
else
    fail "tmux without passthrough: header says blocks and how to get images (set -g allow-passthrough on)"
fi
read -r orow ocol prows pcols < <(pane_origin)
# Half blocks: each cell shows two pixels, one above the other (▀ in the upper one's
# colour on the lower one's). The expected picture is the source scaled to the block
# pixels the image pane holds (its cells wide, twice its rows high), each pixel enlarged
# to half a cell; it must be found at a cell boundary inside the pane.
pane_cols=$((pcols * 11 / 20 - 2)) pane_rows=$((prows - 5))
convert "$project/images/$first" -filter Triangle -resize "${pane_cols}x$((2 * pane_rows))" "$work/blocks.small.png"
read -r bw bh < <(identify -format '%w %h\n' "$work/blocks.small.png")
convert "$work/blocks.small.png" -filter point -resize "$((bw * cell_w))x$((bh * cell_h / 2))!" "$work/blocks.expected.png"
pane_x=$(((ocol + 1) * cell_w)) pane_y=$(((orow + 2) * cell_h))
if poll 15 eval "shot tb1; python3 '$tool' contains '$work/tb.out' '▀'"; then
    convert "$work/tb1.png" -crop "$((pane_cols * cell_w))x$((pane_rows * cell_h))+$pane_x+$pane_y" +repage "$work/tb1.pane.png"
    found=$(compare -metric RMSE -subimage-search "$work/tb1.pane.png" "$work/blocks.expected.png" null: 2>&1 | tr '\n' ' ')
    norm=$(sed -n 's/.*(\([^)]*\)) @ .*/\1/p' <<<"$found")
    fx=$(sed -n 's/.* @ \([0-9]*\),\([0-9]*\).*/\1/p' <<<"$found"); fy=$(sed -n 's/.* @ \([0-9]*\),\([0-9]*\).*/\2/p' <<<"$found")
    log "      half blocks: ${bw}x${bh} block pixels found at pane offset ($fx, $fy) px, RMSE $norm vs the source scaled by ImageMagick"
    if [[ -n "$norm" ]] && lt "$norm" 0.08 && ((fx % cell_w == 0 && fy % cell_h == 0)) &&
       ! grep -qaE $'\eP(tmux;|[0-9;]*q)' "$work/tb.out"; then
        pass "tmux without passthrough: the image drawn in half blocks, no sixel sent"
    else
        fail "tmux without passthrough: the image drawn in half blocks, no sixel sent"
    fi
else
    fail "tmux without passthrough: no half blocks drawn"
fi
# The kitty query must not become the pane's title (tmux takes a plain APC for one).
title=$(tmux -L "$socket" display -p -t "$pane" '#{pane_title}')
if [[ "$title" != *Gi=* ]]; then pass "tmux without passthrough: pane title untouched by the probe ($title)"; else fail "tmux without passthrough: pane title untouched by the probe ($title)"; fi
send tb q
poll 10 grep -q ' exit ' "$work/tb.events"

# ------------------------------------------------------------------------- summary ---
log ""
log "screenshots and logs: $work"
printf '%s\n' "${results[@]}"
log "$(printf '%s\n' "${results[@]}" | grep -c '^PASS') passed, $failures failed"
((failures == 0))
