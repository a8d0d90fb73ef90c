#!/usr/bin/env bash
# The damaged-JPEG fallback, measured: a 10-megapixel camera JPEG (3872×2592, 4:2:0, a restart
# marker every MCU row) intact and with damaged restart markers, the `display` derivative
# (1600 px JPEG) made by Vitrina and, as the baseline, decoded by Pillow (libjpeg-turbo), in the
# same run on the same files.
#
#   bench/jpeg_fallback.sh                 # RUNS=5 by default
#
# Vitrina: crates/media/examples/jpeg_fallback_bench.rs (release build) writes intact.jpg and
# damaged.jpg (a reserved marker FF 05 where RSTn was expected a third of the way down, two
# markers swapped further on) and times `vitrina_media::render` for display/JPEG on each: the
# fast path (jpeg-decoder at 1/2 scale in the DCT domain) on the intact file, the fallback
# (the fast path failing, restart markers mended, zune-jpeg at full size) on the damaged one;
# both include inspect, sRGB, the Lanczos3 resize and the JPEG encode.
# Pillow, on both files: `Image.open(p); im.draft('RGB', (1600, 1600)); im.load()` (for a 3:2
# picture Pillow does not reduce to that box: both sides must fit twice, so this is a full
# decode), the same with the derivative's own box (1600×1071: libjpeg's 1/2-scale decode), the
# full decode `Image.open(p).load()`, and, like for like with Vitrina's figure, that 1/2-scale
# decode + resize to 1600×1071 with LANCZOS + save as JPEG quality 82.
# Each figure is the median (and fastest) of RUNS runs after a warm-up, single-threaded. Before
# each of the two programs the machine is checked quiet (../shared/bench/lib.sh `guarded`, when
# it is there; GUARD=0 switches that off, GUARD_MAX_WAIT bounds the wait).
# The picture is one of ../shared/bench/gen_catalog.py's badge photos when that generator is
# there, a synthetic one otherwise. Needs python3 with Pillow (installed if missing).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}/jpeg_fallback"
RUNS="${RUNS:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$D"

python3 -c 'import PIL' 2>/dev/null || pip install -q pillow \
  || { echo "the baseline needs Pillow, and pip could not install it" >&2; exit 1; }

photo=()
if [ -f "$SHARED/gen_catalog.py" ]; then
  if [ ! -f "$D/source/photo_00001.jpg" ]; then
    python3 "$SHARED/gen_catalog.py" --items 0 --photos 1 --photo-dir "$D/source" \
      --photo-size 3872x2592 >/dev/null
  fi
  photo=(--photo "$D/source/photo_00001.jpg")
fi

cat > "$D/pillow_bench.py" <<'EOF'
import io, statistics, sys, time
import PIL
from PIL import Image, features

folder, runs = sys.argv[1], int(sys.argv[2])

def box(p):
    """The display derivative's size: 1600 px on the long edge."""
    w, h = Image.open(p).size
    return (1600, round(h * 1600 / w)) if w >= h else (round(w * 1600 / h), 1600)

def draft_square(p):
    im = Image.open(p)
    im.draft("RGB", (1600, 1600))
    im.load()
    return im

def draft_display(p):
    im = Image.open(p)
    im.draft("RGB", box(p))
    im.load()
    return im

def full(p):
    im = Image.open(p)
    im.load()
    return im

def derivative(p):
    im = draft_display(p).resize(box(p), Image.LANCZOS)
    im.save(io.BytesIO(), "JPEG", quality=82)
    return im

print(f"Pillow {PIL.__version__}, libjpeg-turbo {features.version('libjpeg_turbo')}")
for name in ("intact", "damaged"):
    p = f"{folder}/{name}.jpg"
    w, h = box(p)
    for what, f in (("draft('RGB',(1600,1600)) + load", draft_square),
                    (f"draft('RGB',({w},{h})) + load", draft_display),
                    ("full decode", full),
                    (f"draft({w},{h}) + resize LANCZOS + save q82", derivative)):
        size = f(p).size  # warm-up
        times = []
        for _ in range(max(1, runs)):
            t = time.perf_counter()
            f(p)
            times.append((time.perf_counter() - t) * 1000)
        print(f"Pillow, {name} file, {what} -> {size[0]}x{size[1]}: "
              f"median {statistics.median(times):.0f} ms, fastest {min(times):.0f} ms ({runs} runs)")
EOF

(cd "$ROOT" && cargo build --release -q -p vitrina-media --example jpeg_fallback_bench)
if [ -f "$SHARED/lib.sh" ]; then
  mkdir -p "$D/results"
  HERE="$SHARED"; . "$SHARED/lib.sh"   # lib.sh finds cpu_guard.py through $HERE
else
  guarded() { shift; "$@"; }
fi
echo "== $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
guarded fallback_vitrina \
  "$CARGO_TARGET_DIR/release/examples/jpeg_fallback_bench" "$D" --runs "$RUNS" "${photo[@]}"
guarded fallback_pillow python3 "$D/pillow_bench.py" "$D" "$RUNS"
