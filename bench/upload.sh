#!/usr/bin/env bash
# Issue #4 benchmark: how long a curator waits for the upload of one 12-megapixel photo
# (goal: under 300 ms; the derivatives are made after the answer), how long until its
# derivatives are served, and the server's peak memory through it all.
#
#   bench/upload.sh                  # UPLOADS=10 by default; SKIP_BUILD=1 reuses the release build
#
# Steps: generate UPLOADS distinct 4000×3000 JPEGs (shared/bench/gen_catalog.py --photos, about
# 2.7 MB each; Pillow needed), start the release `vitrina serve` on the demo collection, add an
# editor with `vitrina user add --password-stdin`, sign in with curl, then upload the photos one
# at a time to the MOPR badge (multipart, as the browser's script does) and time each answer with
# curl; after each, wait until its display-size JPEG is served. Prints the answer times (p50,
# max), the time to derivatives, and the server's peak RSS (VmHWM). Loopback only, bounded.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
UPLOADS="${UPLOADS:-10}"
PORT="${PORT:-18182}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PHOTOS="$D/upload_photos"
DATA="$D/upload_data"
mkdir -p "$D/results"

if [ "$(ls "$PHOTOS"/*.jpg 2>/dev/null | wc -l)" -lt "$UPLOADS" ]; then
  python3 -c 'import PIL' 2>/dev/null || pip install -q pillow
  rm -rf "$PHOTOS"
  python3 "$SHARED/gen_catalog.py" --items 0 --out "$D/none.csv" --photos "$UPLOADS" \
    --photo-dir "$PHOTOS" --photo-size 4000x3000
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== release build"
  (cd "$ROOT" && cargo build --release -q -p vitrina)
fi
BIN="$CARGO_TARGET_DIR/release/vitrina"

rm -rf "$DATA"; mkdir -p "$DATA"
printf 'bench-password-123\n' | VITRINA_LOG=warn "$BIN" --data "$DATA" user add bench --role editor --password-stdin >/dev/null
VITRINA_LOG=warn "$BIN" --data "$DATA" serve --listen "127.0.0.1:$PORT" 2>"$D/results/upload_server.log" &
VPID=$!
trap 'kill -TERM $VPID 2>/dev/null || true' EXIT
URL="http://127.0.0.1:$PORT"
until curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null; do
  kill -0 "$VPID" 2>/dev/null || { cat "$D/results/upload_server.log"; exit 1; }
  sleep 0.05
done

JAR="$D/upload_cookies.txt"; rm -f "$JAR"
curl -fsS -o /dev/null -c "$JAR" --data-urlencode name=bench --data-urlencode password=bench-password-123 \
  --data-urlencode next=/admin/tokens "$URL/admin/login"
CSRF=$(curl -fsS -b "$JAR" "$URL/admin/tokens" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || { echo "could not sign in" >&2; exit 1; }

echo "== $UPLOADS uploads of a 12 MP JPEG, one at a time"
: > "$D/results/upload_times.txt"
for f in $(ls "$PHOTOS"/*.jpg | head -n "$UPLOADS"); do
  out=$(curl -sS -b "$JAR" -H 'Accept: application/json' -o "$D/upload_answer.json" \
    -w '%{http_code} %{time_total}' -F role=obverse -F alt=bench -F "file=@$f;type=image/jpeg" \
    "$URL/admin/types/mopr-badge/upload?csrf=$CSRF")
  code=${out%% *}; secs=${out##* }
  [ "$code" = 201 ] || { echo "upload answered $code: $(cat "$D/upload_answer.json")" >&2; exit 1; }
  hash=$(grep -o '"file":"photos/[0-9a-f]*"' "$D/upload_answer.json" | head -1 | sed 's/.*photos\///; s/"$//')
  t0=$(date +%s%N)
  until curl -fsS -o /dev/null "$URL/media/photos/$hash/display.jpg" 2>/dev/null; do sleep 0.02; done
  ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$secs $ready_ms" >> "$D/results/upload_times.txt"
  ms=$(awk "BEGIN { printf \"%.0f\", $secs * 1000 }")
  printf '  %s: answered in %s ms, derivatives served %d ms later\n' "$(basename "$f")" "$ms" "$ready_ms"
done
HWM=$(grep VmHWM "/proc/$VPID/status" | awk '{print $2}')
python3 - "$D/results/upload_times.txt" "$HWM" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
answer = sorted(float(a) * 1000 for a, _ in rows)
ready = sorted(int(r) for _, r in rows)
print(f"upload answer: p50 {statistics.median(answer):.0f} ms, max {max(answer):.0f} ms (goal < 300 ms)")
print(f"derivatives served after the answer: p50 {statistics.median(ready)} ms, max {max(ready)} ms")
print(f"server peak RSS (VmHWM): {int(sys.argv[2]) / 1024:.0f} MiB (goal <= 500 MiB)")
EOF
