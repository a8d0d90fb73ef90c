#!/usr/bin/env bash
# Issue #3 benchmark: the vitrina-search engine against SQLite FTS5 on the same generated
# catalogue and the same 1,000 queries, in one run on this machine.
#
#   bench/search.sh                      # SIZES="100k 1m" SECONDS_QPS=10 THREADS=2 by default
#   SIZES=100k bench/search.sh
#   SIZES=1m SERVE_SIZES=1m bench/search.sh    # also the JSON API at 1M (load + first start: minutes)
#
# What this measures: both engines IN-PROCESS (the like-for-like comparison of the engines),
# then Vitrina's JSON API under wrk for the sizes in SERVE_SIZES (default: 100k; "" to skip):
#   - vitrina: crates/search/examples/search_bench.rs (release): CSV -> BadgeType (as the bench
#     loader crates/operations/examples/load_generated_csv.rs does), SearchIndex::rebuild into
#     a fresh folder (build time, du of the folder), then the queries through
#     SearchIndex::search (top 20 + total + facet counts + snippets): one warm-up pass, one
#     timed pass; variants: plain, with a category filter, as-you-type, both (and before them
#     plain_first_pass: the plain queries on cold caches, timed); then THREADS
#     threads running the plain list for SECONDS_QPS seconds (queries/s).
#   - FTS5, as shared/bench/fts.sh: sqlite3 .import of the CSV, then the FTS5 external-content
#     index over title_en, title_ru, description ('rebuild'; FTS_RUNS=3 builds, each on a fresh
#     copy of the imported DB, median), then fts_queries.py (the same queries, top 20 by bm25:
#     one warm-up pass, one timed pass) for p50/p99, and THREADS Python processes running the
#     same list for SECONDS_QPS seconds (queries/s).
#   - vitrina serve: the catalogue loaded into a fresh data folder with the bench loader
#     (crates/operations/examples/load_generated_csv.rs; the load is kept between runs, marked
#     by $D/data_<size>/.loaded), the search index removed, then the release
#     `vitrina serve --no-demo` started on 127.0.0.1:$PORT; its first start (which builds the
#     index from storage) is timed up to /healthz. wrk (shared/bench/wrk_mix.lua, random paths
#     from the query list as /api/v1/search?q=..., and again with a category filter
#     &category=<slug>, categories round-robin): a warm-up, one run with one connection (the
#     latency of one request at a time), and one under load (-t2 -c16 -d10s --latency).
#     FTS5's figure under load is the THREADS-process throughput above.
# The query set is fts_queries.py's (single words and two-word phrases, ~40 % Cyrillic); the
# engine gets each line as typed text, FTS5 gets it as a quoted phrase.
# Loopback only (nothing listens), bounded in time. Data under BENCH_DATA (/tmp/vitrina-bench).
# Needs: python3, sqlite3 (Debian package), cargo. Uses shared/bench/cpu_guard.py before each
# measurement (GUARD=0 to skip; GUARD_MAX_BUSY, default 0.3; GUARD_MAX_WAIT s, default 300) and
# reports the CPU other processes used during it (foreign_cpu_s).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
SIZES="${SIZES:-100k 1m}"
NQ="${NQ:-1000}"
THREADS="${THREADS:-2}"
SECONDS_QPS="${SECONDS_QPS:-10}"
SERVE_SIZES="${SERVE_SIZES-100k}"
PORT="${PORT:-18182}"
WRK_DURATION="${WRK_DURATION:-10s}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
declare -A N=([1k]=1000 [10k]=10000 [100k]=100000 [1m]=1000000)
RES="$D/results"
mkdir -p "$RES"

GPID=""
# guard LABEL CMD...: wait for a quiet machine, run CMD, log foreign CPU during it.
guard() {
  local label="$1"; shift
  if [ "${GUARD:-1}" != 1 ]; then "$@"; return; fi
  python3 "$SHARED/cpu_guard.py" wait --max-busy "${GUARD_MAX_BUSY:-0.3}" \
    --max-wait "${GUARD_MAX_WAIT:-300}" >&2 || echo "  (machine not quiet; measuring anyway)" >&2
  python3 "$SHARED/cpu_guard.py" watch --root $$ --out "$RES/guard_$label.jsonl" &
  GPID=$!
  "$@"
  kill -TERM "$GPID"; wait "$GPID" 2>/dev/null || true; GPID=""
  echo "  guard[$label]: $(tail -1 "$RES/guard_$label.jsonl")" >&2
}

if [ "${SKIP_BUILD:-0}" != 1 ]; then  # SKIP_BUILD=1: use the binaries already built
echo "== release build of the example"
(cd "$ROOT" && cargo build --release -q -p vitrina-search --example search_bench)
fi
BENCH="$CARGO_TARGET_DIR/release/examples/search_bench"
if [ -n "$SERVE_SIZES" ] && [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== release build of vitrina and the bench loader"
  (cd "$ROOT" && cargo build --release -q -p vitrina \
    && cargo build --release -q -p vitrina-operations --example load_generated_csv)
fi
BIN="$CARGO_TARGET_DIR/release/vitrina"
LOADER="$CARGO_TARGET_DIR/release/examples/load_generated_csv"
VPID=""
stop_vitrina() {
  if [ -n "$VPID" ]; then kill -TERM "$VPID" 2>/dev/null || true; wait "$VPID" 2>/dev/null || true; fi
  VPID=""
}
trap '[ -n "$GPID" ] && kill -TERM "$GPID" 2>/dev/null || true; stop_vitrina' EXIT

# serve_api SIZE CSV QUERIES: the JSON API of a real `vitrina serve` under wrk (see the top).
serve_api() {
  local size="$1" csv="$2" queries="$3"
  local data="$D/data_$size" log="$RES/vitrina_serve_$size.log"
  if [ ! -f "$data/.loaded" ]; then
    echo "== $size: load the catalogue into $data"
    rm -rf "$data"; mkdir -p "$data"
    /usr/bin/time -f "loader: %e s wall, max RSS %M KiB" "$LOADER" "$csv" "sqlite://$data/vitrina.db"
    touch "$data/.loaded"
  fi
  rm -rf "$data/search"
  echo "== $size: first start of vitrina serve (builds the search index from storage)"
  : > "$log"
  local t0; t0=$(date +%s%N)
  # no page-cache warming: it would render every type page while the search API is measured
  VITRINA_WARM_PAGES=false VITRINA_LOG=info "$BIN" serve --no-demo --data "$data" --listen "127.0.0.1:$PORT" 2>>"$log" &
  VPID=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    kill -0 "$VPID" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.05
  done
  local first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "first start: $first_ms ms (index at $(du -sh "$data/search" | cut -f1))"
  local paths="$D/api_paths_$size.txt" faceted="$D/api_paths_${size}_category.txt"
  python3 - "$queries" "$data/vitrina.db" "$paths" "$faceted" <<'PY'
import sqlite3, sys, urllib.parse
queries, db, plain, faceted = sys.argv[1:]
qs = [q for q in open(queries, encoding="utf-8").read().splitlines() if q.strip()]
cats = [r[0] for r in sqlite3.connect(db).execute("SELECT slug FROM categories ORDER BY slug")]
with open(plain, "w") as p, open(faceted, "w") as f:
    for i, q in enumerate(qs):
        path = "/api/v1/search?q=" + urllib.parse.quote(q)
        p.write(path + "\n")
        f.write(path + "&category=" + urllib.parse.quote(cats[i % len(cats)]) + "\n")
PY
  local base="http://127.0.0.1:$PORT" lua="$SHARED/wrk_mix.lua"
  local p
  for p in "$paths" "$faceted"; do  # every path answers 200 before anything is timed
    python3 - "$PORT" "$p" <<'PY'
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for line in open(sys.argv[2]):
    conn.request("GET", line.strip()); r = conn.getresponse(); r.read()
    assert r.status == 200, (line, r.status)
PY
  done
  wrk_run() {  # label paths threads conns
    wrk -t"$3" -c"$4" -d"$WRK_DURATION" --timeout 5s --latency -s "$lua" "$base" -- "$2" \
      > "$RES/wrk_${1}_$size.txt"
    grep '^WRKJSON ' "$RES/wrk_${1}_$size.txt" | cut -c9- > "$RES/wrk_${1}_$size.json"
  }
  wrk_api() {
    wrk -t2 -c16 -d3s -s "$lua" "$base" -- "$paths" > /dev/null
    wrk_run plain_c1 "$paths" 1 1
    wrk_run category_c1 "$faceted" 1 1
    wrk_run plain_c16 "$paths" 2 16
    wrk_run category_c16 "$faceted" 2 16
  }
  guard "vitrina_api_$size" wrk_api
  local rss_kb; rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$VPID/status")
  stop_vitrina
  python3 - "$RES" "$size" "$first_ms" "$rss_kb" <<'PY'
import json, sys
res, size, first_ms, rss_kb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
out = {"first_start_ms": first_ms, "rss_mib": round(rss_kb / 1024)}
print(f"\n== {size}: vitrina serve, /api/v1/search (wrk, 127.0.0.1)")
for label in ("plain_c1", "category_c1", "plain_c16", "category_c16"):
    w = json.load(open(f"{res}/wrk_{label}_{size}.json"))
    errs = w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"] + w["non_2xx_3xx"]
    out[label] = dict(w, errors=errs)
    print(f"{label:13} req/s {w['rps']:8.1f}  p50 {w['lat_p50_ms']:7.2f} ms  p90 {w['lat_p90_ms']:7.2f}"
          f"  p99 {w['lat_p99_ms']:7.2f}  max {w['lat_max_ms']:7.2f}  errors {errs}")
fq = json.load(open(f"{res}/fts_qps_{size}.json"))
print(f"FTS5 in-process under load: {fq['qps']} queries/s ({fq['processes']} processes); "
      f"vitrina API under load (c16): {out['plain_c16']['rps']:.1f} req/s plain, "
      f"{out['category_c16']['rps']:.1f} with a category filter")
print(f"first start (index build from storage included): {first_ms} ms; RSS after the runs {out['rss_mib']} MiB")
json.dump(out, open(f"{res}/vitrina_api_{size}.json", "w"), indent=1)
PY
}

# FTS5 throughput: THREADS processes, each runs the query list (from its own offset) until the
# deadline; prints total queries/s.
fts_qps() {  # DB QUERIES
  python3 - "$1" "$2" "$THREADS" "$SECONDS_QPS" <<'PY'
import json, multiprocessing as mp, sqlite3, sys, time
db, qfile, threads, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
SQL = ("SELECT i.id, i.title_en FROM items_fts JOIN items i ON i.rowid = items_fts.rowid "
       "WHERE items_fts MATCH ? ORDER BY rank LIMIT 20")
qs = ['"' + q.replace('"', '""') + '"' for q in open(qfile, encoding="utf-8").read().splitlines() if q.strip()]
def run(k, deadline, out):
    con = sqlite3.connect(db); n = 0; i = k * len(qs) // threads
    while time.time() < deadline:
        con.execute(SQL, (qs[i % len(qs)],)).fetchall(); n += 1; i += 1
    out.put(n)
out = mp.Queue(); t0 = time.time(); deadline = t0 + seconds
ps = [mp.Process(target=run, args=(k, deadline, out)) for k in range(threads)]
for p in ps: p.start()
n = sum(out.get() for _ in ps)
for p in ps: p.join()
print(json.dumps({"qps": round(n / (time.time() - t0), 1), "queries": n, "processes": threads, "seconds": seconds}))
PY
}

for SIZE in $SIZES; do
  CSV="$D/catalog_$SIZE.csv"
  [ -f "$CSV" ] || python3 "$SHARED/gen_catalog.py" --items "${N[$SIZE]}" --out "$CSV"
  cat "$CSV" > /dev/null
  echo "== $SIZE: FTS5 (import, index build)"
  DB="$D/fts_$SIZE.db"; BASE="$D/fts_${SIZE}_imported.db"
  rm -f "$DB" "$BASE"
  sqlite3 "$BASE" ".import --csv $CSV items"
  base_bytes=$(stat -c %s "$BASE")
  FTS_SQL="CREATE VIRTUAL TABLE items_fts USING fts5(title_en, title_ru, description, content='items', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'); INSERT INTO items_fts(items_fts) VALUES('rebuild');"
  # FTS_RUNS builds, each on a fresh copy of the imported DB; the median is reported.
  fts_builds() {
    for _ in $(seq 1 "${FTS_RUNS:-3}"); do
      cp "$BASE" "$DB"; sync "$DB"
      local t0; t0=$(date +%s%N)
      sqlite3 "$DB" "$FTS_SQL"
      echo $(( $(date +%s%N) - t0 )) >> "$RES/fts_build_$SIZE.ns"
    done
  }
  rm -f "$RES/fts_build_$SIZE.ns"
  guard "fts_build_$SIZE" fts_builds
  fts_build_s=$(python3 -c "import statistics,sys; t=[int(x)/1e9 for x in open(sys.argv[1])]; print(f'{statistics.median(t):.3f}')" "$RES/fts_build_$SIZE.ns")
  db_bytes=$(stat -c %s "$DB")
  rm -f "$BASE"
  echo "FTS5 build: median ${fts_build_s} s of ${FTS_RUNS:-3} ($(tr '\n' ' ' < "$RES/fts_build_$SIZE.ns")ns); DB $base_bytes B imported, $db_bytes B with the index"

  echo "== $SIZE: FTS5 queries (fts_queries.py; also writes the query files)"
  Q="$D/queries_$SIZE.txt"
  guard "fts_queries_$SIZE" python3 "$SHARED/fts_queries.py" --db "$DB" --n "$NQ" \
    --write-queries "$Q" --write-search-paths "$D/search_paths_$SIZE.txt" \
    --json-out "$RES/fts_queries_$SIZE.json"
  echo "== $SIZE: FTS5 throughput, $THREADS processes x ${SECONDS_QPS} s"
  guard "fts_qps_$SIZE" fts_qps "$DB" "$Q" | tee "$RES/fts_qps_$SIZE.json"

  echo "== $SIZE: vitrina-search (build, queries, throughput)"
  IDX="$D/index_$SIZE"
  rm -rf "$IDX"
  guard "vitrina_$SIZE" "$BENCH" "$CSV" "$IDX" "$Q" --threads "$THREADS" --seconds "$SECONDS_QPS" \
    --json-out "$RES/vitrina_$SIZE.json"
  echo "du -sh index: $(du -sh "$IDX" | cut -f1)"

  python3 - "$RES" "$SIZE" "$fts_build_s" "$base_bytes" "$db_bytes" <<'PY'
import json, sys
res, size, fts_build, base, db = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
v = json.load(open(f"{res}/vitrina_{size}.json"))
f = json.load(open(f"{res}/fts_queries_{size}.json"))
fq = json.load(open(f"{res}/fts_qps_{size}.json"))
mib = lambda b: b / 2**20
rows = [
    ("build (s)", v["build_s"], fts_build, "{:.2f}"),
    ("index size (MiB)", mib(v["index_bytes"]), mib(db - base), "{:.1f}"),
    ("p50 (ms)", v["plain"]["p50_ms"], f["p50_ms"], "{:.2f}"),
    ("p90 (ms)", v["plain"]["p90_ms"], f["p90_ms"], "{:.2f}"),
    ("p99 (ms)", v["plain"]["p99_ms"], f["p99_ms"], "{:.2f}"),
    ("max (ms)", v["plain"]["max_ms"], f["max_ms"], "{:.2f}"),
    ("mean (ms)", v["plain"]["mean_ms"], f["mean_ms"], "{:.2f}"),
    ("qps (2 workers)", v["qps"], fq["qps"], "{:.0f}"),
]
print(f"\n== {size}: {v['rows']} types, {v['queries']} queries   (ratio = vitrina / FTS5)")
print(f"{'':18} {'vitrina':>10} {'FTS5':>10} {'ratio':>7}")
for name, a, b, fmt in rows:
    print(f"{name:18} {fmt.format(a):>10} {fmt.format(b):>10} {a / b if b else float('nan'):7.2f}")
print(f"FTS5 DB with content table: {mib(db):.1f} MiB (table alone {mib(base):.1f} MiB); "
      f"the vitrina index stores names and texts itself")
for k in ("plain_first_pass", "category_filter", "as_you_type", "category_filter_as_you_type"):
    x = v[k]
    print(f"vitrina {k:28} p50 {x['p50_ms']:.2f}  p90 {x['p90_ms']:.2f}  p99 {x['p99_ms']:.2f}  "
          f"max {x['max_ms']:.2f} ms")
print(f"zero-hit queries: vitrina {v['plain']['zero_hit']}, FTS5 {f['zero_hit']}; "
      f"full page of 20: vitrina {v['plain']['full_page_20']}, FTS5 {f['full_page_20']}")
print(f"vitrina segments {v['segments']}, peak RSS {v['peak_rss_mib']} MiB (with the parsed catalogue)")
json.dump({"size": size, "vitrina": v, "fts5": dict(f, build_s=fts_build, index_bytes=db - base,
           db_bytes=db, qps=fq["qps"])}, open(f"{res}/search_summary_{size}.json", "w"), indent=1)
PY
  case " $SERVE_SIZES " in
    *" $SIZE "*) serve_api "$SIZE" "$CSV" "$Q" ;;
  esac
done
