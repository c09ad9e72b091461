#!/usr/bin/env bash
# The README's screenshots of `nnlab report` (docs/report-*.png): a fresh quick-start run and a
# weight-scale sweep on digits, their report, and headless Chromium from the distribution's
# packages (apt-get install chromium) taking pictures of the pages from disk. Run from anywhere
# with nnlab installed; the runs go to a temporary folder, shown in the pages as "runs".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cd "$work"
nnlab train "$repo/configs/digits-quickstart.yaml" -q >/dev/null
nnlab sweep weight-scale --jobs 2 -q >/dev/null
index=$(nnlab report)
run=$(basename "$(ls -d runs/*-digits-quickstart-*)")
sweep=$(basename "$(ls -d runs/*-sweep-weight-scale-*)")

shot() {  # shot OUT.png WIDTH,HEIGHT PAGE
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --hide-scrollbars --window-size="$2" \
        --screenshot="$repo/$1" "file://$work/$3" 2>/dev/null
    echo "$1"
}
shot docs/report-index.png 1500,800 "$index#compare=$run"
shot docs/report-run.png 1400,1060 "runs/report/$run/index.html"
shot docs/report-sweep.png 1400,1000 "runs/report/$sweep/index.html"
rm -rf "$work"
