#!/usr/bin/env bash
# make fuzz: mutation fuzzing of the parsers of untrusted files (image decoders, CSV, NPY,
# the dataset reader, winnow.toml) for a set time, then a table of what was tried and found.
#
#   FUZZ_SECONDS  seconds per target (default 120)
#   FUZZ_TARGETS  which targets (default: png jpeg webp csv npy labels toml)
#   FUZZ_DIR      corpora, findings and logs (default /tmp/winnow-fuzz; kept between runs)
#   FUZZ_ENGINE   libfuzzer (default when the toolchain has it) or harness
#
# libFuzzer (coverage-guided, with AddressSanitizer and LeakSanitizer) comes with Swift's
# toolchain on Linux: winnow-fuzz is built with --sanitize fuzzer,address into .build/fuzz and
# runs in libFuzzer's fork mode, which carries on after a finding. Without it, winnow-fuzz's
# own mutation loop runs instead (no coverage guidance, no sanitizers). A finding is saved
# in FUZZ_DIR/findings; `winnow-fuzz TARGET --replay FILE` reproduces it.
set -euo pipefail

seconds=${FUZZ_SECONDS:-120}
targets=${FUZZ_TARGETS:-png jpeg webp csv npy labels toml}
work=${FUZZ_DIR:-/tmp/winnow-fuzz}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

engine=${FUZZ_ENGINE:-libfuzzer}
if [ "$engine" = libfuzzer ]; then
    # (SwiftPM's --sanitize fuzzer --sanitize address hands swiftc two -sanitize= flags, of
    # which the last wins: the Swift code would get no coverage. So both go in one flag.)
    if swift build -c release --product winnow-fuzz --sanitize fuzzer --scratch-path .build/fuzz \
            -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address -Xswiftc -DWINNOW_LIBFUZZER; then
        bin=.build/fuzz/release/winnow-fuzz
    else
        echo "make fuzz: no libFuzzer in this toolchain; using winnow-fuzz's own mutation loop" >&2
        engine=harness
    fi
fi
if [ "$engine" = harness ]; then
    swift build -c release --product winnow-fuzz
    bin=.build/release/winnow-fuzz
fi

# Seeds: the repository's own valid and broken files of each kind.
fixtures=Tests/WinnowImagingTests/Fixtures
seed() {  # seed TARGET FILE…
    local target=$1; shift
    mkdir -p "$work/seeds/$target" "$work/corpus/$target"
    for file in "$@"; do [ -f "$file" ] && cp "$file" "$work/seeds/$target/$(echo "$file" | tr / _)"; done
}
seed png $fixtures/*.png
seed jpeg $fixtures/*.jpg
seed webp $fixtures/*.webp
head_of() { mkdir -p "$work/tmp"; head -c 1024 "$1" > "$work/tmp/$(echo "$1" | tr / _)"; echo "$work/tmp/$(echo "$1" | tr / _)"; }
csvs=$(find SampleProjects Tests -name '*.csv' -size -64k | sort | head -40)
seed csv $(for f in $csvs; do head_of "$f"; done)
seed labels $(for f in $csvs; do head_of "$f"; done)
printf 'image,label\na.png,cat\nb/c.png,dog\n' > "$work/tmp/labels-min.csv"
printf 'image,labels,annotator\na.png,"cat|dog",x\nb/c.png,,y\na.png,cat,y\n' > "$work/tmp/labels-multi.csv"
seed labels "$work/tmp/labels-min.csv" "$work/tmp/labels-multi.csv"
seed npy $(find Tests/WinnowDatasetTests/Fixtures -name '*.npy' -size -64k | sort)
seed toml $(find SampleProjects Themes -name '*.toml' | sort)
awk '/^```toml$/{on=1;next} /^```$/{on=0} on' README.md > "$work/tmp/readme.toml"
seed toml "$work/tmp/readme.toml"

mkdir -p "$work/findings" "$work/logs"
# Known, bounded leaks of a third-party parser (see the file): suppressed, everything else reported.
export LSAN_OPTIONS="suppressions=$root/scripts/fuzz-lsan.supp:print_suppressions=0"
echo "make fuzz: engine $engine, $seconds s per target, on $(uname -sr), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %9s %8s %6s %6s %6s  %s\n' target inputs "inputs/s" coverage crash hang leak "other (oom)"
total_inputs=0; total_findings=0
for target in $targets; do
    log="$work/logs/$target.log"
    before=$(ls "$work/findings" | grep -c -- "-$target-" || true)
    if [ "$engine" = libfuzzer ]; then
        # Fork mode: one job at a time (the machine is shared), going on after findings.
        WINNOW_FUZZ_TARGET=$target "$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
            -artifact_prefix="$work/findings/" -print_final_stats=1 \
            "$work/corpus/$target" "$work/seeds/$target" > "$log" 2>&1 || true
        # Artifacts are named by kind: crash-, timeout-, leak-, oom-; tag them with the target.
        for f in "$work/findings"/crash-* "$work/findings"/timeout-* "$work/findings"/leak-* "$work/findings"/oom-*; do
            [ -e "$f" ] || continue
            base=$(basename "$f"); mv "$f" "$work/findings/${base%%-*}-$target-${base#*-}"
        done
        # Fork mode's progress lines: "#INPUTS: cov: EDGES ft: … oom/timeout/crash: O/T/C time: …".
        inputs=$( (grep -o '^#[0-9]*' "$log" || true) | tail -1 | tr -d '#')
        coverage=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
    else
        "$bin" "$target" --seconds "$seconds" --artifacts "$work/findings" "$work/seeds/$target" > "$log" 2>&1 || true
        inputs=$( (sed -n 's/.*: \([0-9]*\) inputs in.*/\1/p' "$log" || true) | tail -1)
        coverage="-"
    fi
    count() { ls "$work/findings" | grep -c -- "^$1-$target-" || true; }
    crash=$(count crash); hang=$(( $(count timeout) + $(count hang) )); leak=$(count leak); oom=$(count oom)
    inputs=${inputs:-0}
    printf '%-8s %12s %9s %8s %6s %6s %6s  %s\n' "$target" "$inputs" "$(( inputs / (seconds > 0 ? seconds : 1) ))" "${coverage:--}" "$crash" "$hang" "$leak" "$oom"
    total_inputs=$(( total_inputs + inputs ))
    total_findings=$(( total_findings + crash + hang + leak + oom - before ))
done
echo "total: $total_inputs inputs, $total_findings new finding(s) in $work/findings (logs in $work/logs)"
[ "$total_findings" -eq 0 ]
