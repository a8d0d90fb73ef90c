#!/usr/bin/env bash
# Runs every fuzz target for a bounded time each (default 60 s): this project's (dates and
# periods, measurements and vocabularies, whole sheets to records, the search box) and then
# crates/formats/fuzz's (CSV, spreadsheets, JSON records, ZIP bundles).
#   fuzz/run.sh [SECONDS]
# Not part of CI. Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets the
# stable toolchain take the sanitizer flags cargo-fuzz passes. A crash is saved under
# artifacts/<target>/: reproduce it with `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>`,
# then make it a named regression test in the crate it found a fault in.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
status=0
for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target"
    if [ -d "seeds/$target" ]; then
        cp -n "seeds/$target"/* "corpus/$target/" 2>/dev/null || true
    fi
    echo "== $target: ${seconds}s"
    if ! cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=3072 -timeout=20 -print_final_stats=1; then
        echo "!! $target found a crash: see artifacts/$target/"
        status=1
    fi
done
../crates/formats/fuzz/run.sh "$seconds" || status=1
exit "$status"
