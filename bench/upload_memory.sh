#!/usr/bin/env bash
# Issue #10 benchmark: the server's memory while one request uploads many large photos at once.
# Uploads are streamed to temporary files, so the peak should stay far below the upload's size.
#
#   bench/upload_memory.sh                 # FILES=24 photos of SIZE_MB=49 MB each, in one request
#   FILES=3 SIZE_MB=2 bench/upload_memory.sh   # a quick check
#   SKIP_BUILD=1 PROFILE=debug ...         # reuse a build (PROFILE=release by default)
#
# Steps: make FILES distinct valid JPEGs of about SIZE_MB MB each (testdata's hopper.jpg padded
# with COM segments after its SOI marker: python3 only, no Pillow), start `vitrina serve` on the
# demo collection, add an editor (`vitrina user add --password-stdin`), sign in with curl, upload
# all the files in one multipart request to the MOPR badge, and print the server's peak RSS
# (VmHWM from /proc/PID/status) before and after beside the total upload size. Loopback only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
FILES="${FILES:-24}"
SIZE_MB="${SIZE_MB:-49}"
PORT="${PORT:-18183}"
PROFILE="${PROFILE:-release}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PHOTOS="$D/upload_memory_photos"
DATA="$D/upload_memory_data"
mkdir -p "$D/results"

rm -rf "$PHOTOS"; mkdir -p "$PHOTOS"
python3 - "$ROOT/testdata/images/formats/hopper.jpg" "$PHOTOS" "$FILES" "$SIZE_MB" <<'PY'
import sys
src, out, files, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
jpeg = open(src, "rb").read()
assert jpeg[:2] == b"\xff\xd8"
target = int(size_mb * 1_000_000)
chunk = b"\x00" * 65533                       # the largest COM payload (length field 65535)
segment = b"\xff\xfe\xff\xff" + chunk
for i in range(files):
    tag = f"vitrina upload_memory photo {i}".encode()
    head = b"\xff\xfe" + (len(tag) + 2).to_bytes(2, "big") + tag
    n = max(0, (target - len(jpeg) - len(head)) // len(segment))
    with open(f"{out}/{i:02}.jpg", "wb") as f:
        f.write(jpeg[:2] + head)
        for _ in range(n):
            f.write(segment)
        f.write(jpeg[2:])
PY
TOTAL=$(du -cb "$PHOTOS"/*.jpg | tail -1 | cut -f1)

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== $PROFILE build"
  if [ "$PROFILE" = release ]; then
    (cd "$ROOT" && cargo build --release -q -p vitrina)
  else
    (cd "$ROOT" && cargo build -q -p vitrina)
  fi
fi
BIN="$CARGO_TARGET_DIR/$PROFILE/vitrina"

rm -rf "$DATA"; mkdir -p "$DATA"
printf 'bench-password-123\n' | VITRINA_LOG=warn "$BIN" --data "$DATA" user add bench --role editor --password-stdin >/dev/null
# room for the whole upload in one request, however slow the machine
VITRINA_LOG=warn VITRINA_MAX_UPLOAD_MB=$(( ${SIZE_MB%.*} + 1 )) VITRINA_REQUEST_TIMEOUT_SECS=3600 \
  VITRINA_WARM_PAGES=false "$BIN" --data "$DATA" serve --listen "127.0.0.1:$PORT" \
  2>"$D/results/upload_memory_server.log" &
VPID=$!
trap 'kill -TERM $VPID 2>/dev/null || true' EXIT
URL="http://127.0.0.1:$PORT"
until curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null; do
  kill -0 "$VPID" 2>/dev/null || { cat "$D/results/upload_memory_server.log"; exit 1; }
  sleep 0.05
done

JAR="$D/upload_memory_cookies.txt"; rm -f "$JAR"
curl -fsS -o /dev/null -c "$JAR" --data-urlencode name=bench --data-urlencode password=bench-password-123 \
  --data-urlencode next=/admin/tokens "$URL/admin/login"
CSRF=$(curl -fsS -b "$JAR" "$URL/admin/tokens" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || { echo "could not sign in" >&2; exit 1; }

BEFORE=$(grep VmHWM "/proc/$VPID/status" | awk '{print $2}')
ARGS=()
for f in "$PHOTOS"/*.jpg; do
  ARGS+=(-F role=detail -F alt=bench -F "file=@$f;type=image/jpeg")
done
echo "== $FILES photos of about $SIZE_MB MB in one request"
out=$(curl -sS -b "$JAR" -H 'Accept: application/json' -o "$D/upload_memory_answer.json" \
  -w '%{http_code} %{time_total}' "${ARGS[@]}" "$URL/admin/types/mopr-badge/upload?csrf=$CSRF")
code=${out%% *}; secs=${out##* }
[ "$code" = 201 ] || { echo "upload answered $code: $(head -c 500 "$D/upload_memory_answer.json")" >&2; exit 1; }
AFTER=$(grep VmHWM "/proc/$VPID/status" | awk '{print $2}')
stored=$(grep -o '"file":"photos/' "$D/upload_memory_answer.json" | wc -l)
echo "stored $stored photos, answered in $secs s"
awk -v t="$TOTAL" -v b="$BEFORE" -v a="$AFTER" 'BEGIN {
  printf "upload size: %.0f MB in total; server peak RSS (VmHWM): %.0f MiB before, %.0f MiB after\n",
    t / 1e6, b / 1024, a / 1024 }'
