#!/usr/bin/env bash
# The review screen's pictures in a real sixel terminal, checked pixel by pixel (make test).
#
#   scripts/check-review-pixels.sh WINNOW_BIN      (or WINNOW_BIN=… in the environment)
#
# xterm (VT340 graphics, 256 colour registers) runs `winnow review` on a copy of the sample
# project under Xvfb. Keys and window resizes are sent as a user would; after each, the
# screenshot must show
#   · the image the TUI sent, where it sent it: its sixel decoded by sixel2png is found at
#     its cell, pixel for pixel (RMSE < 0.01), and it is the right item's image (the source
#     file scaled by ImageMagick, RMSE < 0.06);
#   · nothing else in the image pane: every pixel of the pane around the image is the
#     terminal's background (a strip of the previous image left there fails this);
#   · no image pixels anywhere else: outside the images the window holds only the few
#     colours of the theme's text.
# Covered: the first item, moves (j, k), decisions (a, 1), the class picker and the note
# editor (beside the image), help (no image), the near-duplicate grid, zoom, and the window
# resized smaller and larger. Every wait polls for what it waits for (the image's bytes in
# the pty log, then the screenshot); nothing sleeps and hopes.
#
# Exit status: 0 passed, 1 a check failed, 2 usage, 77 a tool is missing.
# Screenshots and logs stay in $CHECK_DIR (default: a new /tmp/winnow-pixels.*).
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
winnow=${1:-${WINNOW_BIN:-}}
if [[ -z "$winnow" || ! -x "$winnow" ]]; then
    echo "usage: $0 WINNOW_BIN   (build it first: swift build)" >&2
    exit 2
fi
winnow=$(cd "$(dirname "$winnow")" && pwd)/$(basename "$winnow")
missing=()
for tool in Xvfb xterm import convert compare sixel2png python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "check-review-pixels: missing ${missing[*]} (make deps installs xterm xvfb imagemagick libsixel-bin python3)"
    exit 77
fi

work=${CHECK_DIR:-$(mktemp -d /tmp/winnow-pixels.XXXXXX)}
mkdir -p "$work/six"
tool="$here/terminal-image-tool.py"
pids=()
failures=0
started=$SECONDS
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { printf '%s\n' "$*"; }
pass() { log "PASS  $1 ($((SECONDS - started)) s)"; }
fail() { log "FAIL  $1"; failures=$((failures + 1)); }
poll() { # SECONDS COMMAND…: every 0.1 s until COMMAND succeeds
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do ((SECONDS >= deadline)) && return 1; sleep 0.1; done
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# ------------------------------------------------------------------ X and the sample ---
Xvfb -displayfd 5 -screen 0 1280x900x24 -nolisten tcp -noreset 5>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
poll 10 test -s "$work/display" || { log "Xvfb did not start (see $work/xvfb.log)"; exit 1; }
export DISPLAY=":$(head -1 "$work/display")"

project="$work/shapes"
rm -rf "$project"; cp -r "$repo/SampleProjects/shapes" "$project"; rm -rf "$project/.winnow"
"$winnow" import "$project" >"$work/import.log" 2>&1 || { log "import failed: $(cat "$work/import.log")"; exit 1; }
# The random queue: decisions never reorder it, so the item on screen is known in advance.
"$winnow" queue "$project" --queue random --format jsonl --limit 40 >"$work/queue.jsonl" 2>"$work/queue.log" || { log "queue failed"; exit 1; }
mapfile -t order < <(python3 -c 'import json,sys; [print(json.loads(l)["image"]) for l in sys.stdin]' <"$work/queue.jsonl")
position=0

start_xterm() { # NAME COMMAND…: xterm 120x40 running COMMAND through the relay (keys, control, logs)
    local name=$1; shift
    rm -f "$work/$name".{out,timing,events,keys,control}
    mkfifo "$work/$name.keys" "$work/$name.control"
    env -u TMUX -u TMUX_PANE -u STY -u TERM_PROGRAM -u COLORTERM -u WINNOW_REVIEWER \
        xterm -xrm 'XTerm*decGraphicsID: vt340' -xrm 'XTerm*numColorRegisters: 256' -xrm 'XTerm*maxGraphicSize: 2000x2000' \
        -xrm 'XTerm*allowWindowOps: true' -xrm 'XTerm*internalBorder: 0' -bw 0 -geometry 120x40+0+0 \
        -e python3 "$here/pty-relay.py" --log "$work/$name.out" --timing "$work/$name.timing" --keys "$work/$name.keys" \
        --control "$work/$name.control" --events "$work/$name.events" -- "$@" >"$work/$name.xterm.log" 2>&1 &
    pids+=($!)
}
send() { timeout 5 bash -c 'printf "%b" "$1" >"$2"' _ "$1" "$work/x.keys" || log "      (could not send $1)"; }
control() { timeout 5 bash -c 'printf "%b" "$1" >"$2"' _ "$1" "$work/x.control"; }
out_size() { stat -c %s "$work/x.out" 2>/dev/null || echo 0; }
images_after() { python3 "$tool" images "$work/x.out" --after "$1" --dir "$work/six" --prefix "$2"; }
# Images written completely after byte $1: each one ends "ESC \ ESC 8" (cheap: no Python
# while polling).
count_after() { tail -c +"$(($1 + 1))" "$work/x.out" 2>/dev/null | grep -o -a $'\x1b\\\\\x1b8' | wc -l; }
# wait_text AFTER TEXT: the TUI has written TEXT after byte AFTER (its frame is out).
wait_text() { poll 10 eval "tail -c +\$(($1 + 1)) '$work/x.out' | grep -q -a -F '$2'"; }

# The cell size, as the terminal reports it (winnow doctor asks it).
start_xterm doctor sh -c "'$winnow' doctor >'$work/doctor.txt' 2>&1"
poll 20 grep -q ' exit ' "$work/doctor.events" 2>/dev/null
read -r cell_w cell_h < <(grep -o 'cell size [0-9]*×[0-9]* px' "$work/doctor.txt" | head -1 | sed 's/cell size \([0-9]*\)×\([0-9]*\) px/\1 \2/')
[[ -n "${cell_w:-}" ]] || { log "no cell size from winnow doctor: $(cat "$work/doctor.txt")"; exit 1; }
grep -qi 'images: sixel' "$work/doctor.txt" || { log "xterm was not detected as a sixel terminal: $(cat "$work/doctor.txt")"; exit 1; }

# ---------------------------------------------------------------------- the checks ---
cols=120 rows=40
background=""
# shot NAME: the xterm window (its cells) as $work/NAME.ppm.
shot() { import -window root -crop "$((cols * cell_w))x$((rows * cell_h))+0+0" +repage -depth 8 "ppm:$work/$1.ppm"; }
# The image pane of the review layout, in pixels: "x y w h" (mirrors ReviewView.layout).
pane() {
    if ((cols >= 80)); then echo "0 $cell_h $((cols * 11 / 20 * cell_w)) $(((rows - 3) * cell_h))"
    else echo "0 $cell_h $((cols * cell_w)) $(((rows - 3) / 2 * cell_h))"; fi
}
# measure SHOT [--pane …] [--image PPM X Y]… → "RMSE… SHARE COLOURS" (one pass, in Python)
measure() { python3 "$tool" pixels "$work/$1.ppm" --background "$background" "${@:2}" | sed 's/rmse //; s/share //; s/colours //; s/compare //'; }
# A sixel written by the TUI, decoded: LINE (of terminal-image-tool images) → its .ppm
decoded() { local six; six=$(awk '{ print $6 }' <<<"$1"); sixel2png <"$six" | convert png:- -depth 8 "ppm:${six%.six}.ppm"; echo "${six%.six}.ppm"; }
# The most colours text leaves in a window: the theme's colours, bold ones, the selection bar.
text_colours=24

# expect_image LABEL AFTER ITEM: the last image written after byte AFTER is ITEM's, shown
# where it was sent; the pane around it is background; no image pixels elsewhere.
expect_image() {
    local label=$1 after=$2 item=$3
    if ! poll 20 eval "(( \$(count_after $after probe) >= 1 ))"; then fail "$label: no image written"; return; fi
    shots=$((shots + 1))
    local line; line=$(images_after "$after" "s$shots" | tail -1)
    local end row col w h six; read -r end row col w h six <<<"$line"
    local ppm; ppm=$(decoded "$line")
    local x=$((col * cell_w)) y=$((row * cell_h)) name="p$shots"
    # The right item: the decoded sixel is compared with the item's file scaled by ImageMagick.
    convert "$project/images/$item" -auto-orient -filter Triangle -resize "${w}x${h}!" -depth 8 "ppm:${six%.six}.source.ppm"
    local at="" share="" around="" source_at=""
    check() {
        shot "$name"
        read -r at share around source_at < <(measure "$name" --pane $(pane) --image "$ppm" "$x" "$y" --compare "$ppm" "${six%.six}.source.ppm")
        lt "$at" 0.01 && lt 0.999 "$share" && ((around <= text_colours))
    }
    if ! poll 8 check; then
        fail "$label: image at ($row, $col) RMSE ${at:-?} (want < 0.01); pane around it ${share:-?} background (want 1); ${around:-?} colours outside images (want ≤ $text_colours): see $work/$name.ppm"
        return
    fi
    if lt "${source_at:-1}" 0.06; then
        pass "$label: $item at cell ($row, $col), ${w}x${h} px, RMSE $at; pane around it clean; $around colours elsewhere"
    else
        fail "$label: the image at ($row, $col) is not $item (RMSE ${source_at:-?} against the file)"
    fi
}

# expect_no_image LABEL: no image pixels anywhere (help, queue switcher).
expect_no_image() {
    shots=$((shots + 1))
    local label=$1 name="n$shots" count=""
    check() { shot "$name"; count=$(measure "$name" | awk '{ print $NF }'); ((count <= text_colours)); }
    if poll 8 check; then pass "$label: no image pixels ($count colours)"; else fail "$label: $count colours left on screen: see $work/$name.ppm"; fi
}

# expect_grid LABEL AFTER: every row of thumbnails written after AFTER is on screen where
# sent; nothing else shows image pixels.
expect_grid() {
    shots=$((shots + 1))
    local label=$1 after=$2 name="g$shots"
    if ! poll 20 eval "(( \$(count_after $after probe) >= 1 ))"; then fail "$label: no grid written"; return; fi
    local lines=() images=() line
    mapfile -t lines < <(images_after "$after" "$name")
    for line in "${lines[@]}"; do
        local end row col w h six; read -r end row col w h six <<<"$line"
        images+=(--image "$(decoded "$line")" $((col * cell_w)) $((row * cell_h)))
    done
    local result=""
    check() {
        shot "$name"
        result=$(measure "$name" "${images[@]}")
        local fields=($result) r
        ((${#fields[@]} == ${#lines[@]} + 2)) || return 1
        for r in "${fields[@]:0:${#lines[@]}}"; do lt "$r" 0.01 || return 1; done
        ((${fields[${#lines[@]} + 1]} <= text_colours))
    }
    if poll 8 check; then pass "$label: ${#lines[@]} row(s) of thumbnails where sent; $(awk '{ print $NF }' <<<"$result") colours elsewhere"
    else fail "$label: thumbnails not where sent, or image pixels elsewhere (RMSEs, share, colours: $result): see $work/$name.ppm"; fi
}

# ----------------------------------------------------------------------- the review ---
shots=0
start_xterm x "$winnow" review "$project" --queue random --graphics auto --reviewer pixels
poll 20 eval "(( \$(count_after 0 probe) >= 1 ))" || { log "no image written at start (see $work/x.xterm.log)"; exit 1; }
shot bg
# The terminal's background: the commonest colour of its window.
background=$(convert "$work/bg.ppm" -format %c histogram:info: | sort -rn | head -1 | grep -o '#[0-9A-Fa-f]\{6\}' | head -1)
log "      cell ${cell_w}x${cell_h} px, background $background"

expect_image "start" 0 "${order[0]}"
after=$(out_size); send j; position=1; expect_image "j: the next item" "$after" "${order[1]}"
after=$(out_size); send k; position=0; expect_image "k: back" "$after" "${order[0]}"
# Decisions: the decided item leaves, the next one shows (the issue: 3 of 5 left a strip).
for key in a 1 a 1 a; do
    after=$(out_size); send "$key"; order=("${order[@]:0:position}" "${order[@]:position+1}")
    expect_image "$key: decided, the next item" "$after" "${order[position]}"
done
after=$(out_size); send /; expect_image "/: the class picker beside the image" "$after" "${order[position]}"
after=$(out_size); send '\033'; expect_image "Escape from the picker" "$after" "${order[position]}"
after=$(out_size); send n; expect_image "n: the note editor beside the image" "$after" "${order[position]}"
after=$(out_size); send '\033'; expect_image "Escape from the note" "$after" "${order[position]}"
after=$(out_size); send '?'; wait_text "$after" "accept the current label" || fail "?: no help written"
expect_no_image "?: help"
after=$(out_size); send '\033'; expect_image "Escape from help" "$after" "${order[position]}"
after=$(out_size); send m; expect_grid "m: more like this (a grid of thumbnails)" "$after"
after=$(out_size); send '\033'; expect_image "Escape from the grid" "$after" "${order[position]}"
after=$(out_size); send z
poll 20 eval "(( \$(count_after $after probe) >= 1 ))" || fail "z: no zoomed image"
after=$(out_size); send '\033'; expect_image "Escape from zoom: the large image cleared" "$after" "${order[position]}"
# Resizes: xterm resizes itself (CSI 8 t, allowed here); winnow lays out again.
after=$(out_size); control '\033[8;30;100t'; cols=100 rows=30
expect_image "resized to 100x30" "$after" "${order[position]}"
after=$(out_size); control '\033[8;40;120t'; cols=120 rows=40
expect_image "resized back to 120x40" "$after" "${order[position]}"
after=$(out_size); send a; order=("${order[@]:0:position}" "${order[@]:position+1}")
expect_image "a after the resizes" "$after" "${order[position]}"
# - and +: the image is sent again with fewer colours, then with as many as before.
palette() { images_after "$1" "c$2" | tail -1 | awk '{ print $6 }' | xargs grep -o -a '#[0-9]*;2;' | sort -u | wc -l; }
before_colours=$(palette 0 0)
after=$(out_size); send -; expect_image "-: fewer colours" "$after" "${order[position]}"
fewer=$(palette "$after" 1)
after=$(out_size); send +; expect_image "+: the colours back" "$after" "${order[position]}"
more=$(palette "$after" 2)
if ((fewer < more && fewer <= 128)); then pass "- and +: the palette went from $more to $fewer colours and back"
else fail "- and +: palettes $before_colours, $fewer, $more colours (want fewer after -, more after +)"; fi
send q
poll 10 grep -q ' exit ' "$work/x.events" || fail "q: winnow did not exit"

log "$((SECONDS - started)) s; screenshots and logs: $work"
((failures == 0)) && log "all pixel checks passed" || log "$failures pixel check(s) failed"
((failures == 0))
