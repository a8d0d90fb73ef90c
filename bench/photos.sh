#!/usr/bin/env bash
# Issue #4 benchmark: the thumbnail (400 px) and display (1600 px) JPEG derivatives of 50
# generated 12-megapixel JPEGs, made by Vitrina's photo pipeline and by libvips'
# `vipsthumbnail` in the same run, on the same files, from the page cache.
#
#   bench/photos.sh                      # COUNT=50 RUNS=3 WORKERS=<cores> by default
#
# Vitrina: crates/media/examples/derive_bench.rs (release build) calls `vitrina_media::render`,
# what the background worker runs, for thumb + display JPEG of every file with WORKERS threads:
# inspect, one reduced-scale decode (DCT-domain 1/2 for 4000×3000), sRGB, resize, orient,
# encode (quality 82), write. Its peak memory is read from `/usr/bin/time -v`.
# libvips: `vipsthumbnail -s 400` then `-s 1600` over the whole set, Q=82 and strip, as
# ../shared/bench/images.sh does (one process using its own threads), and the same with two
# processes in parallel (xargs -P2), since Vitrina uses both cores too.
# Each figure is wall-clock time, the median of RUNS interleaved runs; before each the machine is
# checked quiet (../shared/bench/lib.sh `guarded`; GUARD=0 switches that off, GUARD_MAX_WAIT
# bounds the wait).
# Prints images/s for each, the ratio Vitrina / libvips, and Vitrina's peak RSS.
# Needs: python3 with Pillow (the photo generator), libvips-tools and time (installed if missing).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
P="${PHOTOS:-$D/photos}"
COUNT="${COUNT:-50}"
RUNS="${RUNS:-3}"
WORKERS="${WORKERS:-$(nproc)}"
Q=82
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
O="$D/photo_out"
mkdir -p "$D/results"

apt_install() {
  [ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock | grep -v partial)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v vipsthumbnail >/dev/null || apt_install libvips-tools
[ -x /usr/bin/time ] || apt_install time

# How many JPEGs a folder holds; 0 when it does not exist yet (a fresh machine). Not `ls` of a
# glob: with no match it fails, and under pipefail the script ended with status 2 and no word.
jpegs() { { find "$1" -maxdepth 1 -type f -name '*.jpg' 2>/dev/null || true; } | sort; }
have=$(jpegs "$P" | wc -l)
if [ "$have" -lt "$COUNT" ]; then
  python3 -c 'import PIL' 2>/dev/null || pip install -q pillow \
    || { echo "the photo generator needs Pillow, and pip could not install it" >&2; exit 1; }
  echo "== generating $COUNT photos of 4000x3000 in $P"
  python3 "$SHARED/gen_catalog.py" --items 0 --photos "$COUNT" --photo-dir "$P" --photo-size 4000x3000
fi
n=$(jpegs "$P" | wc -l)
if [ "$n" -lt "$COUNT" ]; then
  echo "only $n of $COUNT photos in $P after generating them; see the generator's output above" >&2
  exit 1
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== release build"
  (cd "$ROOT" && cargo build --release -q -p vitrina-media --example derive_bench)
fi
BIN="$CARGO_TARGET_DIR/release/examples/derive_bench"

HERE="$SHARED"; . "$SHARED/lib.sh"   # lib.sh finds cpu_guard.py through $HERE
cat "$P"/*.jpg > /dev/null   # page cache: measure decoding and encoding, not the disk
first=$(jpegs "$P" | sed -n 1p)
echo "$n photos, e.g. $(vipsheader "$first")"

now() { date +%s.%N; }
# seconds CMD...: runs CMD into a fresh output folder and writes its wall time to $LAST
# (a run the guard repeats overwrites it)
LAST="$D/results/photos_last.txt"
seconds() {
  rm -rf "$O"; mkdir -p "$O"
  local t0 t1; t0=$(now); "$@"; t1=$(now)
  echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' > "$LAST"
}
vips_seq() {
  vipsthumbnail -s 400 -o "$O/%s_400.jpg[Q=$Q,strip]" "$P"/*.jpg
  vipsthumbnail -s 1600 -o "$O/%s_1600.jpg[Q=$Q,strip]" "$P"/*.jpg
}
vips_par() {
  jpegs "$P" | xargs -P2 -n5 vipsthumbnail -s 400 -o "$O/%s_400.jpg[Q=$Q,strip]"
  jpegs "$P" | xargs -P2 -n5 vipsthumbnail -s 1600 -o "$O/%s_1600.jpg[Q=$Q,strip]"
}
vitrina() {
  /usr/bin/time -v -o "$D/results/photos_time.txt" \
    "$BIN" "$P" --workers "$WORKERS" --out "$O" --sizes thumb,display --formats jpg >/dev/null
  grep "Maximum resident" "$D/results/photos_time.txt" | awk '{print $NF}' >> "$D/results/photos_rss.txt"
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: > "$D/results/photos_rss.txt"
CASES="vips_seq vips_par vitrina"
for case in $CASES; do : > "$D/results/photos_$case.txt"; done
# The runs are interleaved (libvips, libvips ×2, Vitrina, again…) so that a disturbance from
# other work on a shared machine falls on all of them alike.
for run in $(seq "$RUNS"); do
  for case in $CASES; do
    TIMES="$D/results/photos_$case.txt"
    guarded "photos_$case" seconds "$case"
    cat "$LAST" >> "$TIMES"
    echo "  run $run $case: $(tail -1 "$TIMES") s, $(ls "$O" | wc -l) files"
  done
done
declare -A MED
for case in $CASES; do
  MED[$case]=$(median "$D/results/photos_$case.txt")
  printf '%-9s %d photos: median %ss over %d runs (%s)\n' \
    "$case" "$n" "${MED[$case]}" "$RUNS" "$(tr '\n' ' ' < "$D/results/photos_$case.txt")"
done
rss=$(sort -n "$D/results/photos_rss.txt" | tail -1)
rm -rf "$O"

python3 - "$n" "${MED[vips_seq]}" "${MED[vips_par]}" "${MED[vitrina]}" "$rss" "$WORKERS" <<'PY'
import sys
n, seq, par, vit, rss, workers = sys.argv[1:]
n = int(n); seq, par, vit = float(seq), float(par), float(vit)
print()
print(f"thumb (400 px) + display (1600 px) JPEG Q82 for {n} photos of 12 MP:")
print(f"  libvips vipsthumbnail, one process:   {n/seq:6.2f} images/s  ({seq:.2f} s)")
print(f"  libvips vipsthumbnail, two processes: {n/par:6.2f} images/s  ({par:.2f} s)")
print(f"  Vitrina, {workers} workers:                {n/vit:6.2f} images/s  ({vit:.2f} s)")
print(f"  ratio Vitrina / libvips: {seq/vit:.2f} (one process), {par/vit:.2f} (two processes); goal >= 1.0")
print(f"  Vitrina peak RSS: {int(rss)/1024:.0f} MiB; goal <= 500 MiB")
PY
