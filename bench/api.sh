#!/usr/bin/env bash
# Issue #10 benchmark: the REST API (/api/v1), every figure beside a baseline measured in the
# same run on this machine, then one summary table.
#
#   bench/api.sh                                   # full size: ITEMS=100000 DEEP_ITEMS=1000000
#   ITEMS=2000 DEEP_ITEMS=20000 DURATION=3s WRITE_SECONDS=3 bench/api.sh   # a quick run
#   STEPS="get deep" SKIP_BUILD=1 bench/api.sh      # some steps only, reusing the build
#
# Steps (STEPS, default "get deep put upload"):
#   get     GET /api/v1/types/{slug} for random types of ITEMS (default 100,000), against nginx
#           serving the very same JSON bodies as files: the catalogue is generated
#           (shared/bench/gen_catalog.py) and loaded with the bench loader
#           (crates/operations/examples/load_generated_csv.rs) into a SQLite store kept between
#           runs ($D/api_store_N/.loaded); the release `vitrina serve --no-demo` serves it; every
#           published type's body is fetched once with curl into a static tree
#           (/api/v1/types/SLUG.json, so nginx answers application/json) served by
#           shared/bench/serve_nginx.sh; then wrk -t$THREADS -c$CONNS -d$DURATION --latency with
#           shared/bench/wrk_mix.lua (random paths) on both. Target: >= 0.8x nginx, p99 <= 10 ms.
#   deep    GET /api/v1/types?limit=20&cursor=... at 1,000 random offsets in the second half of
#           DEEP_ITEMS (default 1,000,000) types, the cursors computed from the SQLite file
#           (bench/api_helpers.py deep-paths), against the first page (no cursor) in the same
#           run. Target: p99 <= 10 ms, deep pages cost what the first costs. The 1M store is
#           kept between runs (loading it and the server's first start take minutes).
#   put     PUT of a whole type (one variant, one specimen) by WRITE_CLIENTS (16) concurrent
#           clients for WRITE_SECONDS (10) with If-Match, through the load client
#           crates/vitrina/examples/api_put_load.rs (each client owns a type and carries the
#           ETag its last save returned; editors with a write token each, made with
#           `vitrina user add` / `vitrina token create`: one per client where the write limit per
#           user can be lifted (api_writes_per_minute), else WRITE_USERS_PER_CLIENT (4) per
#           client, taken in turns, so that the limit does not cap the figure), on a fresh store of WRITE_ITEMS
#           (10,000) generated types: on PostgreSQL (a uniquely named scratch database on
#           PG_HOST:PG_PORT, dropped after; baseline `pgbench -N -c16 -j2 -T10` on a
#           pgbench-initialised scratch database, target >= 0.2x its tx/s and p99 <= 50 ms) and
#           on SQLite (baseline: one writer looping one-row transactions in WAL with
#           synchronous=NORMAL, as Vitrina opens SQLite; bench/api_helpers.py sqlite-baseline).
#   upload  the server's peak RSS while 24 photos of 50 MB are uploaded in one request
#           (bench/upload_memory.sh, release build; UPLOAD_FILES, UPLOAD_SIZE_MB).
# The page-cache warming is off (VITRINA_WARM_PAGES=false): the API does not use that cache,
# and warming would render every page while the API is measured.
# Each measurement waits for a quiet machine (shared/bench/cpu_guard.py; GUARD=0 to skip,
# GUARD_MAX_BUSY 0.3, GUARD_MAX_WAIT 120 s) and reports the CPU other processes used during it.
# Loopback only, bounded in time; data under BENCH_DATA (/tmp/vitrina-bench), results in
# $BENCH_DATA/results/api_*.json.
# Needs: wrk nginx sqlite3 curl python3 (Debian packages), PostgreSQL on 127.0.0.1:5432 with
# trust auth (psql, pgbench; PG_USER, default root) for `put`, cargo.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
RES="$D/results"
ITEMS="${ITEMS:-100000}"
DEEP_ITEMS="${DEEP_ITEMS:-1000000}"
WRITE_ITEMS="${WRITE_ITEMS:-10000}"
STEPS="${STEPS:-get deep put upload}"
T="${THREADS:-2}"; C="${CONNS:-64}"; DUR="${DURATION:-10s}"; REPEAT="${REPEAT:-1}"
WRITE_CLIENTS="${WRITE_CLIENTS:-16}"; WRITE_SECONDS="${WRITE_SECONDS:-10}"
PORT="${PORT:-18186}"; NGINX_PORT="${NGINX_PORT:-18087}"; UPLOAD_PORT="${UPLOAD_PORT:-18187}"
PG_HOST="${PG_HOST:-127.0.0.1}"; PG_PORT="${PG_PORT:-5432}"; PG_USER="${PG_USER:-root}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PY="$HERE/api_helpers.py"
LUA="$SHARED/wrk_mix.lua"
mkdir -p "$RES"
rm -f "$RES"/api_*.json "$RES"/guard_api_*.jsonl

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== release build"
  (cd "$ROOT" && cargo build --release -q -p vitrina \
    && cargo build --release -q -p vitrina-operations --example load_generated_csv \
    && cargo build --release -q -p vitrina --example api_put_load)
fi
BIN="$CARGO_TARGET_DIR/release/vitrina"
LOADER="$CARGO_TARGET_DIR/release/examples/load_generated_csv"
PUTLOAD="$CARGO_TARGET_DIR/release/examples/api_put_load"

VPID=""; GPID=""; NGINX_PID=""; PG_DBS=()
stop_vitrina() {
  if [ -n "$VPID" ]; then kill -TERM "$VPID" 2>/dev/null || true; wait "$VPID" 2>/dev/null || true; fi
  VPID=""
}
cleanup() {
  [ -n "$GPID" ] && kill -TERM "$GPID" 2>/dev/null || true
  stop_vitrina
  [ -n "$NGINX_PID" ] && "$SHARED/serve_nginx.sh" stop "$NGINX_PORT" >/dev/null 2>&1 || true
  local db
  for db in "${PG_DBS[@]}"; do
    psql -qX -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
      -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

# guard LABEL CMD...: wait for a quiet machine, run CMD, log the CPU of foreign processes.
guard() {
  local label="$1"; shift
  if [ "${GUARD:-1}" != 1 ]; then "$@"; return; fi
  python3 "$SHARED/cpu_guard.py" wait --max-busy "${GUARD_MAX_BUSY:-0.3}" \
    --max-wait "${GUARD_MAX_WAIT:-120}" >&2 || echo "  (machine not quiet; measuring anyway)" >&2
  local extra=()
  [ -n "$NGINX_PID" ] && extra+=(--extra-root "$NGINX_PID")
  # PostgreSQL's backends work for us in the PostgreSQL steps (other clients of it count as ours)
  [ -n "${PG_POSTMASTER:-}" ] && extra+=(--extra-root "$PG_POSTMASTER")
  python3 "$SHARED/cpu_guard.py" watch --root $$ "${extra[@]}" --out "$RES/guard_api_$label.jsonl" &
  GPID=$!
  "$@"
  kill -TERM "$GPID"; wait "$GPID" 2>/dev/null || true; GPID=""
  echo "  guard[$label]: $(tail -1 "$RES/guard_api_$label.jsonl")" >&2
}

# store N: a SQLite data folder holding N generated types, loaded once and kept (.loaded).
store() {
  local n="$1" csv="$D/catalog_$1.csv" data="$D/api_store_$1"
  if [ ! -f "$data/.loaded" ]; then
    [ -f "$csv" ] || python3 "$SHARED/gen_catalog.py" --items "$n" --out "$csv" >&2
    echo "== load $n types into $data" >&2
    rm -rf "$data"; mkdir -p "$data"
    /usr/bin/time -f "loader: %e s wall, max RSS %M KiB" "$LOADER" "$csv" "sqlite://$data/vitrina.db" >&2
    touch "$data/.loaded"
  fi
  echo "$data"
}

# start_vitrina DATA LOG [ARGS...]: serve DATA on $PORT (env as exported), wait for /healthz.
start_vitrina() {
  local data="$1" log="$2"; shift 2
  local t0; t0=$(date +%s%N)
  VITRINA_WARM_PAGES=false VITRINA_LOG="${VITRINA_LOG:-warn}" \
    "$BIN" serve --no-demo --data "$data" --listen "127.0.0.1:$PORT" "$@" 2>>"$log" &
  VPID=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    kill -0 "$VPID" 2>/dev/null || { echo "vitrina did not start:"; tail -30 "$log"; exit 1; }
    [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 1800 ] || { echo "vitrina start timed out"; exit 1; }
    sleep 0.1
  done
  echo "  vitrina up in $(( ($(date +%s%N) - t0) / 1000000 )) ms (pid $VPID)"
}

# wrk_run LABEL URL [PATHS]: a 3 s warm-up, then REPEAT timed runs; median to api_LABEL.json.
wrk_run() {
  local label="$1" url="$2" paths="${3:-}" files=() i
  local args=(-s "$LUA" "$url"); [ -n "$paths" ] && args+=(-- "$paths")
  wrk -t"$T" -c"$C" -d3s --timeout 5s "${args[@]}" > /dev/null
  for i in $(seq 1 "$REPEAT"); do
    wrk -t"$T" -c"$C" -d"$DUR" --timeout 5s --latency "${args[@]}" > "$RES/wrk_api_${label}_$i.txt"
    files+=("$RES/wrk_api_${label}_$i.txt")
  done
  echo -n "  $label: "; python3 "$PY" wrk-median "$RES/api_$label.json" "${files[@]}"
}

# --- get: one type, Vitrina against nginx with the same bodies ------------------------------
step_get() {
  local data; data=$(store "$ITEMS")
  local static="$D/api_static_$ITEMS" log="$RES/api_vitrina_get.log"
  : > "$log"
  echo "== get: vitrina serve on $ITEMS types"
  start_vitrina "$data" "$log"
  local vpaths="$D/api_type_paths_$ITEMS.txt" npaths="$D/api_type_paths_${ITEMS}_nginx.txt"
  python3 "$PY" type-paths "$data/vitrina.db" "$vpaths" "$npaths" \
    --curl "$D/api_static_$ITEMS.curl" --port "$PORT" --root "$static" > /dev/null
  if [ ! -f "$static/.complete" ] || [ "$static/.complete" -ot "$data/.loaded" ]; then
    echo "== get: every body once into $static (curl)"
    rm -rf "$static"; mkdir -p "$static/api/v1/types"
    curl -sS --no-progress-meter --fail --parallel --parallel-max 8 --config "$D/api_static_$ITEMS.curl" \
      -w '%{http_code}\n' > "$D/api_static_codes.txt"
    local bad; bad=$(grep -vc '^200$' "$D/api_static_codes.txt" || true)
    [ "$bad" = 0 ] || { echo "$bad bodies did not answer 200"; exit 1; }
    touch "$static/.complete"
  fi
  echo "  $(wc -l < "$vpaths") types, $(find "$static/api/v1/types" -name '*.json' | wc -l) files"
  NGINX_PID=$("$SHARED/serve_nginx.sh" start "$static" "$NGINX_PORT")
  # the same bytes and a JSON content type from both, checked on one type
  local probe; probe=$(head -1 "$vpaths")
  cmp <(curl -fsS "http://127.0.0.1:$PORT$probe") <(curl -fsS "http://127.0.0.1:$NGINX_PORT$probe.json")
  curl -fsS -o /dev/null -D - "http://127.0.0.1:$NGINX_PORT$probe.json" | grep -qi '^content-type: application/json' \
    || { echo "nginx does not answer application/json"; exit 1; }
  echo "== get: wrk -t$T -c$C -d$DUR --latency, random types, $REPEAT run(s) each"
  guard get_vitrina wrk_run get_vitrina "http://127.0.0.1:$PORT" "$vpaths"
  guard get_nginx wrk_run get_nginx "http://127.0.0.1:$NGINX_PORT" "$npaths"
  echo "  vitrina RSS after: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$VPID/status")"
  "$SHARED/serve_nginx.sh" stop "$NGINX_PORT" > /dev/null; NGINX_PID=""
  stop_vitrina
}

# --- deep: cursor pages deep in the list against the first page -----------------------------
step_deep() {
  local data; data=$(store "$DEEP_ITEMS")
  local log="$RES/api_vitrina_deep.log"
  : > "$log"
  echo "== deep: vitrina serve on $DEEP_ITEMS types (the first start builds the search index)"
  start_vitrina "$data" "$log"
  local paths="$D/api_deep_paths_$DEEP_ITEMS.txt"
  echo "  cursors: $(python3 "$PY" deep-paths "$data/vitrina.db" "$paths" --n "${DEEP_CURSORS:-1000}")"
  python3 "$PY" check-paths "$PORT" "$paths" | sed 's/^/  /'
  echo "== deep: wrk -t$T -c$C -d$DUR --latency, $REPEAT run(s) each"
  guard deep wrk_run deep_vitrina "http://127.0.0.1:$PORT" "$paths"
  guard first wrk_run first_vitrina "http://127.0.0.1:$PORT/api/v1/types?limit=20"
  stop_vitrina
}

# --- put: whole-type saves by concurrent clients ---------------------------------------------
# put_run ENGINE DATA [--database URL]: users and tokens, the server, the load client.
put_run() {
  local engine="$1" data="$2"; shift 2
  local db_args=("$@") log="$RES/api_vitrina_put_$engine.log" tokens="$D/api_put_tokens_$engine.txt"
  : > "$log"; : > "$tokens"
  local i users=$(( WRITE_CLIENTS * USERS_PER_CLIENT ))
  for i in $(seq 0 $(( users - 1 ))); do
    printf 'bench-put-password-%s\n' "$i" | VITRINA_LOG=warn "$BIN" user add "bench-put-$i" \
      --role editor --password-stdin --data "$data" "${db_args[@]}" > /dev/null
    VITRINA_LOG=warn "$BIN" token create "bench put $i" --user "bench-put-$i" --scope write \
      --data "$data" "${db_args[@]}" 2>>"$log" | grep -o 'vt_[0-9a-f]*' | head -1 >> "$tokens"
  done
  [ "$(grep -c . "$tokens")" = "$users" ] || { echo "could not make the tokens"; exit 1; }
  echo "== put/$engine: vitrina serve ($WRITE_ITEMS types, $users editors with a write token each)"
  start_vitrina "$data" "$log" "${db_args[@]}"
  guard "put_$engine" "$PUTLOAD" --url "http://127.0.0.1:$PORT" --tokens "$tokens" \
    --clients "$WRITE_CLIENTS" --seconds "$WRITE_SECONDS" --warmup "${WRITE_WARMUP:-2}" \
    --threads "$T" --json-out "$RES/api_put_$engine.json" | grep -v '^PUTJSON' | sed 's/^/  /'
  echo "  vitrina RSS after: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$VPID/status")"
  stop_vitrina
  if grep -q panicked "$log"; then echo "the server panicked:"; grep -A5 panicked "$log"; exit 1; fi
}

pg() { psql -qX -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"; }

step_put() {
  local csv="$D/catalog_$WRITE_ITEMS.csv"
  [ -f "$csv" ] || python3 "$SHARED/gen_catalog.py" --items "$WRITE_ITEMS" --out "$csv"
  # The write limit per user (600/min by default) would cap the figure: lift it where the
  # binary has the setting (an unknown VITRINA_* variable is refused, so ask first).
  if "$BIN" config show 2>/dev/null | grep -q '^api_writes_per_minute'; then
    export VITRINA_API_WRITES_PER_MINUTE=1000000 VITRINA_API_WRITE_BURST=1000000
    USERS_PER_CLIENT="${WRITE_USERS_PER_CLIENT:-1}"
    PUT_NOTE="write rate limit lifted (api_writes_per_minute=1000000), $USERS_PER_CLIENT user(s) per client"
  else
    # The fixed limit (600/min after a burst of 120, per user): each client spreads its saves
    # over several users so that the limit does not cap the figure (watch the 429 count).
    USERS_PER_CLIENT="${WRITE_USERS_PER_CLIENT:-4}"
    PUT_NOTE="this binary has no api_writes_per_minute setting (fixed 600/min, burst 120, per user): each client takes turns over $USERS_PER_CLIENT users"
  fi
  echo "  $PUT_NOTE"

  # PostgreSQL: pgbench on a scratch database, then vitrina on another, both dropped after.
  PG_POSTMASTER=$(head -1 "$(pg -At -d postgres -c 'SHOW data_directory')/postmaster.pid" 2>/dev/null || true)
  local tag; tag="$(date +%s)_$$"
  local pgb="vitrina_bench_pgbench_$tag" vdb="vitrina_bench_api_$tag"
  PG_DBS+=("$pgb" "$vdb")
  echo "== put/postgres: pgbench -i -s ${PGBENCH_SCALE:-16} on $pgb"
  pg -d postgres -c "CREATE DATABASE \"$pgb\""
  pgbench -q -i -s "${PGBENCH_SCALE:-16}" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$pgb" 2>&1 | tail -1 | sed 's/^/  /'
  pgbench_run() {
    pgbench -N -c "$WRITE_CLIENTS" -j 2 -T "${PGBENCH_SECONDS:-10}" -h "$PG_HOST" -p "$PG_PORT" \
      -U "$PG_USER" "$pgb" > "$RES/api_pgbench.txt" 2>&1
  }
  echo "== put/postgres: pgbench -N -c$WRITE_CLIENTS -j2 -T${PGBENCH_SECONDS:-10}"
  guard pgbench pgbench_run
  python3 - "$RES/api_pgbench.txt" "$RES/api_pgbench.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
tps = float(re.search(r"^tps = ([0-9.]+)", text, re.M).group(1))
lat = float(re.search(r"^latency average = ([0-9.]+) ms", text, re.M).group(1))
failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
out = {"tps": tps, "latency_avg_ms": lat, "failed": int(failed.group(1)) if failed else 0}
json.dump(out, open(sys.argv[2], "w"))
print(f"  pgbench: {tps:.0f} tx/s, latency average {lat:.2f} ms, failed {out['failed']}")
PY
  pg -d postgres -c "DROP DATABASE \"$pgb\" WITH (FORCE)"

  local url="postgres://$PG_USER@$PG_HOST:$PG_PORT/$vdb" pdata="$D/api_put_postgres"
  pg -d postgres -c "CREATE DATABASE \"$vdb\""
  rm -rf "$pdata"; mkdir -p "$pdata"
  echo "== put/postgres: load $WRITE_ITEMS types into $vdb"
  /usr/bin/time -f "  loader: %e s wall" "$LOADER" "$csv" "$url"
  put_run postgres "$pdata" --database "$url"
  pg -d postgres -c "DROP DATABASE \"$vdb\" WITH (FORCE)"
  PG_POSTMASTER=""

  # SQLite: the baseline loop on a scratch file in the same folder, then vitrina.
  local sdata="$D/api_put_sqlite"
  rm -rf "$sdata"; mkdir -p "$sdata"
  echo "== put/sqlite: one writer, one-row transactions, WAL + synchronous=NORMAL, ${WRITE_SECONDS} s"
  guard sqlite_baseline python3 "$PY" sqlite-baseline "$sdata" --seconds "$WRITE_SECONDS" \
    > "$RES/api_sqlite_baseline.json"
  echo "  $(cat "$RES/api_sqlite_baseline.json")"
  echo "== put/sqlite: load $WRITE_ITEMS types"
  /usr/bin/time -f "  loader: %e s wall" "$LOADER" "$csv" "sqlite://$sdata/vitrina.db"
  put_run sqlite "$sdata"
}

# --- upload: peak memory during 24 uploads of 50 MB ------------------------------------------
step_upload() {
  local files="${UPLOAD_FILES:-24}" size="${UPLOAD_SIZE_MB:-50}"
  echo "== upload: bench/upload_memory.sh, $files photos of $size MB in one request"
  upload_run() {
    SKIP_BUILD=1 PROFILE=release FILES="$files" SIZE_MB="$size" PORT="$UPLOAD_PORT" \
      BENCH_DATA="$D" "$HERE/upload_memory.sh" | tee "$RES/api_upload_memory.txt" | sed 's/^/  /'
  }
  guard upload_memory upload_run
  python3 - "$RES/api_upload_memory.txt" "$RES/api_upload_memory.json" "$files" "$size" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"upload size: ([0-9.]+) MB in total; server peak RSS \(VmHWM\): ([0-9.]+) MiB "
              r"before, ([0-9.]+) MiB after", text)
stored = re.search(r"stored (\d+) photos, answered in ([0-9.]+) s", text)
json.dump({"files": int(sys.argv[3]), "size_mb": float(sys.argv[4]), "total_mb": float(m.group(1)),
           "before_mib": float(m.group(2)), "after_mib": float(m.group(3)),
           "stored": int(stored.group(1)), "answer_s": float(stored.group(2))}, open(sys.argv[2], "w"))
PY
  rm -rf "$D/upload_memory_photos" "$D/upload_memory_data"
}

PUT_NOTE=""; USERS_PER_CLIENT=1; PG_POSTMASTER=""
for step in $STEPS; do
  case "$step" in
    get) step_get ;;
    deep) step_deep ;;
    put) step_put ;;
    upload) step_upload ;;
    *) echo "unknown step $step (get deep put upload)"; exit 2 ;;
  esac
done

python3 - "$RES/api_meta.json" "$ITEMS" "$DEEP_ITEMS" "$ROOT" \
  "wrk -t$T -c$C -d$DUR --latency --timeout 5s, $REPEAT run(s) (median) after a 3 s warm-up; deep: ${DEEP_CURSORS:-1000} cursors in the second half of the list" \
  "$WRITE_CLIENTS clients x ${WRITE_SECONDS} s after ${WRITE_WARMUP:-2} s warm-up, on $WRITE_ITEMS types; pgbench scale ${PGBENCH_SCALE:-16}; $PUT_NOTE" <<'PY'
import json, subprocess, sys, time
out, items, deep, root, wrk, put = sys.argv[1:]
git = subprocess.run(["git", "-C", root, "log", "-1", "--format=%h %s"], capture_output=True,
                     text=True).stdout.strip()
json.dump({"items": int(items), "deep_items": int(deep), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "git": git, "wrk": wrk, "put": put}, open(out, "w"))
PY
python3 "$PY" summary "$RES" | tee "$RES/api_summary.txt"
