#!/usr/bin/env bash
# Issue #2 benchmark: Vitrina serving random type pages of a 100,000-type catalogue, against
# nginx serving the very same pages saved as static files, in one run on this machine.
#
#   bench/serve_types.sh                 # ITEMS=100000 DURATION=10s REPEAT=3 by default
#
# Steps: generate the catalogue (shared/bench/gen_catalog.py), load it with the bench loader
# (crates/operations/examples/load_generated_csv.rs) into a fresh SQLite store, start
# `vitrina serve` (release build) and time its start-up, save every type page to files and
# serve them with nginx (shared/bench/serve_nginx.sh), then drive both with wrk
# (shared/bench/wrk_mix.lua, random paths, 2 threads, 64 connections, loopback only, bounded
# in time). Prints req/s and latency for both, their ratio, and Vitrina's resident memory.
# Needs: wrk nginx sqlite3 curl python3 (Debian packages).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
ITEMS="${ITEMS:-100000}"
PORT="${PORT:-18181}"; NGINX_PORT="${NGINX_PORT:-18080}"
T="${THREADS:-2}"; C="${CONNS:-64}"; DUR="${DURATION:-10s}"; REPEAT="${REPEAT:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$D/results"
CSV="$D/catalog_${ITEMS}.csv"
DATA="$D/data_${ITEMS}"
STATIC="$D/static_${ITEMS}"

[ -f "$CSV" ] || python3 "$SHARED/gen_catalog.py" --items "$ITEMS" --out "$CSV"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== release build"
  (cd "$ROOT" && cargo build --release -q -p vitrina && cargo build --release -q -p vitrina-operations --example load_generated_csv)
fi
BIN="$CARGO_TARGET_DIR/release/vitrina"
LOADER="$CARGO_TARGET_DIR/release/examples/load_generated_csv"

echo "== load $ITEMS types"
rm -rf "$DATA"; mkdir -p "$DATA"
/usr/bin/time -f "loader: %e s wall, max RSS %M KiB" "$LOADER" "$CSV" "sqlite://$DATA/vitrina.db"

VPID=""
cleanup() {
  [ -n "$VPID" ] && kill -TERM "$VPID" 2>/dev/null || true
  "$SHARED/serve_nginx.sh" stop "$NGINX_PORT" >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_vitrina() {  # starts vitrina in the background; sets VPID and STARTUP_MS
  local start_ns; start_ns=$(date +%s%N)
  if [ "${WARM:-1}" = 1 ]; then export VITRINA_WARM_PAGES=true; else export VITRINA_WARM_PAGES=false; fi
  VITRINA_LOG=warn,vitrina_web::warm=info "$BIN" serve --no-demo --data "$DATA" --listen "127.0.0.1:$PORT" 2>>"$D/results/vitrina.log" &
  VPID=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    kill -0 "$VPID" 2>/dev/null || { cat "$D/results/vitrina.log"; exit 1; }
    sleep 0.01
  done
  STARTUP_MS=$(( ($(date +%s%N) - start_ns) / 1000000 ))
}
echo "== start vitrina: first start (builds the search index), then a restart"
: > "$D/results/vitrina.log"
start_vitrina
FIRST_STARTUP_MS=$STARTUP_MS
kill -TERM "$VPID"; wait "$VPID" 2>/dev/null || true
cp "$D/results/vitrina.log" "$D/results/vitrina_first.log"; : > "$D/results/vitrina.log"
start_vitrina
echo "start-up: first ${FIRST_STARTUP_MS} ms (incl. search index build), restart ${STARTUP_MS} ms"
# The server renders its pages into the page cache in the background once it is up
# (warm_pages); measure from a warm cache, as visitors to a running site see it, and report how
# long warming took. WARM=0 measures with warming off (each page rendered on its first request).
if [ "${WARM:-1}" = 1 ]; then
  WARM_START=$(date +%s%N)
  until grep -q "page cache warmed" "$D/results/vitrina.log"; do
    kill -0 "$VPID" 2>/dev/null || { cat "$D/results/vitrina.log"; exit 1; }
    [ $(( ($(date +%s%N) - WARM_START) / 1000000000 )) -lt 600 ] || { echo "warming did not finish"; exit 1; }
    sleep 0.2
  done
  WARM_MS=$(( ($(date +%s%N) - WARM_START) / 1000000 ))
  echo "page cache warmed ${WARM_MS} ms after start-up: $(grep "page cache warmed" "$D/results/vitrina.log" | tail -1)"
fi

echo "== paths and static copies of the same pages"
sqlite3 "$DATA/vitrina.db" "SELECT '/types/' || slug FROM badge_types ORDER BY id" > "$D/vitrina_paths.txt"
sed 's|$|/|' "$D/vitrina_paths.txt" > "$D/nginx_paths.txt"
if [ ! -f "$STATIC/.complete" ]; then
  rm -rf "$STATIC"; mkdir -p "$STATIC"
  python3 - "$PORT" "$D/vitrina_paths.txt" "$STATIC" <<'PY'
import http.client, os, sys
port, paths, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port)
n = 0
for line in open(paths):
    p = line.strip()
    conn.request("GET", p)
    r = conn.getresponse(); body = r.read()
    assert r.status == 200, (p, r.status)
    d = os.path.join(out, p.lstrip("/")); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "wb") as f: f.write(body)
    n += 1
print(f"saved {n} pages")
PY
  touch "$STATIC/.complete"
fi
NGINX_PID=$("$SHARED/serve_nginx.sh" start "$STATIC" "$NGINX_PORT")

bench() {  # label base paths
  local label="$1" base="$2" paths="$3"
  wrk -t"$T" -c"$C" -d3s -s "$SHARED/wrk_mix.lua" "$base" -- "$paths" >/dev/null
  for i in $(seq 1 "$REPEAT"); do
    wrk -t"$T" -c"$C" -d"$DUR" --timeout 5s --latency -s "$SHARED/wrk_mix.lua" "$base" -- "$paths" \
      > "$D/results/${label}_$i.txt"
  done
}
echo "== wrk -t$T -c$C -d$DUR, $REPEAT runs each, random type pages"
bench vitrina "http://127.0.0.1:$PORT" "$D/vitrina_paths.txt"
bench nginx "http://127.0.0.1:$NGINX_PORT" "$D/nginx_paths.txt"

RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$VPID/status")
HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$VPID/status")
# PSS counts a page once however often it is mapped: SQLite's readers each map the same database
# file, which VmRSS counts once per mapping. RssAnon is the memory Vitrina itself allocated.
PSS_KB=$(awk '/^Pss:/ {print $2}' "/proc/$VPID/smaps_rollup")
ANON_KB=$(awk '/RssAnon/ {print $2}' "/proc/$VPID/status")

python3 - "$D/results" "$REPEAT" "$STARTUP_MS" "$RSS_KB" "$HWM_KB" "$ITEMS" "$FIRST_STARTUP_MS" "$PSS_KB" "$ANON_KB" <<'PY'
import json, statistics, sys
res, rep, startup, rss, hwm, items, first = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
pss, anon = int(sys.argv[8]), int(sys.argv[9])
def load(label):
    rows = []
    for i in range(1, rep + 1):
        for line in open(f"{res}/{label}_{i}.txt"):
            if line.startswith("WRKJSON "):
                rows.append(json.loads(line[8:]))
    return rows
out = {}
for label in ("vitrina", "nginx"):
    rows = load(label)
    errs = sum(r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"] + r["non_2xx_3xx"] for r in rows)
    rps = [r["rps"] for r in rows]; p99 = [r["lat_p99_ms"] for r in rows]; p50 = [r["lat_p50_ms"] for r in rows]
    out[label] = dict(rps=statistics.median(rps), p99=statistics.median(p99), p50=statistics.median(p50), errors=errs,
                      rps_range=(min(rps), max(rps)), p99_range=(min(p99), max(p99)),
                      bytes=statistics.median(r["bytes"] / max(1, r["requests"]) for r in rows))
    o = out[label]
    print(f"{label:8s} req/s {o['rps']:9.0f} [{o['rps_range'][0]:.0f}..{o['rps_range'][1]:.0f}]  p50 {o['p50']:.2f} ms"
          f"  p99 {o['p99']:.2f} ms [{o['p99_range'][0]:.2f}..{o['p99_range'][1]:.2f}]  errors {errs}  bytes/resp {o['bytes']:.0f}")
ratio = out["vitrina"]["rps"] / out["nginx"]["rps"]
print(f"ratio vitrina/nginx throughput: {ratio:.2f}  (goal >= 0.8)")
print(f"vitrina p99: {out['vitrina']['p99']:.2f} ms (goal <= 10 ms)")
print(f"vitrina resident memory: PSS {pss/1024:.0f} MiB, of it allocated (RssAnon) {anon/1024:.0f} MiB;"
      f" VmRSS {rss/1024:.0f} MiB now, {hwm/1024:.0f} MiB peak, counting each reader's map of the database file (goal <= 300 MiB)")
print(f"vitrina start-up with {items} types: {startup} ms (first start, building the search index: {first} ms)")
json.dump(dict(out, ratio=ratio, rss_mib=rss/1024, hwm_mib=hwm/1024, pss_mib=pss/1024, anon_mib=anon/1024, startup_ms=int(startup), first_startup_ms=int(first), items=int(items)),
          open(f"{res}/summary.json", "w"), indent=2)
PY
