#!/usr/bin/env bash
# Issue #12 benchmark: bringing a collection in and taking it out, every figure beside a
# baseline measured in the same run on this machine.
#
#   bench/import.sh                          # ITEMS=100000 RUNS=3
#   ITEMS=10000 RUNS=1 bench/import.sh        # a quick run
#   STEPS="csv export" SKIP_BUILD=1 bench/import.sh
#
# Steps (STEPS, default "csv xlsx export serve"):
#   csv     `vitrina import catalog.csv --mode create` of ITEMS rows made by
#           shared/bench/gen_catalog.py into a fresh data folder (SQLite, search index
#           included), RUNS times, timed with /usr/bin/time (wall, peak RSS); baseline:
#           shared/bench/fts.sh's own work, `sqlite3 .import --csv` of the same file plus the
#           FTS5 external-content index over title_en, title_ru, description. Target: at most 5x
#           the baseline, peak memory <= 500 MiB.
#   xlsx    the same rows written cell for cell into an XLSX
#           (crates/formats/examples/csv_to_xlsx.rs), imported the same way. Target: at most 2x
#           the CSV import.
#   export  `vitrina export out.csv` of the imported ITEMS types; baseline `sqlite3 -csv` of the
#           baseline's table. Target: at most 2x.
#   serve   the public site's latency while an import runs: `vitrina serve` on a data folder
#           with the demo (warm pages off), wrk -t1 -c4 with random demo pages, first with the
#           server idle, then while `vitrina import` writes ITEMS rows into the same database.
#           Target: p99 <= 50 ms.
# Loopback only, bounded in time; data under BENCH_DATA (/tmp/vitrina-bench), results in
# $BENCH_DATA/results/import_*.
# Needs: python3, sqlite3, wrk, curl, /usr/bin/time (Debian packages), cargo.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
RES="$D/results"
ITEMS="${ITEMS:-100000}"
RUNS="${RUNS:-3}"
STEPS="${STEPS:-csv xlsx export serve}"
PORT="${PORT:-18191}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$CARGO_TARGET_DIR/release/vitrina"
XLSX_BIN="$CARGO_TARGET_DIR/release/examples/csv_to_xlsx"
mkdir -p "$RES"

for tool in python3 sqlite3 wrk curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/import.sh needs $tool" >&2; exit 1; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && cargo build --release --locked -q -p vitrina -p vitrina-formats --example csv_to_xlsx)
fi

CSV="$D/catalog_import_$ITEMS.csv"
[ -f "$CSV" ] || python3 "$SHARED/gen_catalog.py" --items "$ITEMS" --out "$CSV"
ROWS=$(($(wc -l < "$CSV") - 1))
FTS_SQL="CREATE VIRTUAL TABLE items_fts USING fts5(title_en, title_ru, description, content='items', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'); INSERT INTO items_fts(items_fts) VALUES('rebuild');"

median() { python3 -c 'import sys,statistics; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }

# Runs CMD under /usr/bin/time; prints "seconds max_rss_kib".
timed() {
  local log; log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>"$log.err" || {
    echo "failed: $*" >&2; cat "$log.err" >&2; rm -f "$log" "$log.err"; exit 1; }
  cat "$log"; rm -f "$log" "$log.err"
}

# A fresh data folder with FILE imported; prints "seconds max_rss_kib".
import_once() {
  local file="$1" dir="$D/import_data"
  rm -rf "$dir"
  timed "$BIN" import --data "$dir" --mode create "$file"
}

summary=()

if [[ " $STEPS " == *" csv "* ]]; then
  echo "== CSV import of $ROWS rows ($RUNS runs)"
  base=(); ours=(); rss=()
  for _ in $(seq "$RUNS"); do
    rm -f "$D/fts_import.db"
    t0=$(date +%s.%N)
    sqlite3 "$D/fts_import.db" ".import --csv $CSV items"
    sqlite3 "$D/fts_import.db" "$FTS_SQL"
    t1=$(date +%s.%N)
    base+=("$(python3 -c "print($t1 - $t0)")")
    read -r s m < <(import_once "$CSV")
    ours+=("$s"); rss+=("$m")
  done
  b=$(median "${base[@]}"); o=$(median "${ours[@]}"); r=$(median "${rss[@]}")
  types=$(sqlite3 "$D/import_data/vitrina.db" "select count(*) from badge_types")
  echo "  sqlite3 .import + FTS5: ${b}s   vitrina import: ${o}s (${types} types, index included)   peak RSS $((${r%.*} / 1024)) MiB"
  summary+=("CSV import $ROWS rows|vitrina import ${o}s, peak $((${r%.*} / 1024)) MiB|sqlite3 .import + FTS5 ${b}s|$(python3 -c "print(f'{$o / $b:.2f}x')")")
  CSV_SECONDS="$o"
fi

if [[ " $STEPS " == *" xlsx "* ]]; then
  XLSX="$D/catalog_import_$ITEMS.xlsx"
  [ -f "$XLSX" ] || "$XLSX_BIN" "$CSV" "$XLSX"
  echo "== XLSX import of the same rows ($RUNS runs)"
  ours=(); csv=()
  for _ in $(seq "$RUNS"); do
    read -r s _ < <(import_once "$XLSX"); ours+=("$s")
    if [ -z "${CSV_SECONDS:-}" ]; then read -r s _ < <(import_once "$CSV"); csv+=("$s"); fi
  done
  x=$(median "${ours[@]}"); c="${CSV_SECONDS:-$(median "${csv[@]}")}"
  echo "  XLSX: ${x}s   CSV: ${c}s"
  summary+=("XLSX import $ROWS rows|${x}s|CSV import ${c}s|$(python3 -c "print(f'{$x / $c:.2f}x')")")
fi

if [[ " $STEPS " == *" export "* ]]; then
  [ -f "$D/import_data/vitrina.db" ] || import_once "$CSV" >/dev/null
  [ -f "$D/fts_import.db" ] || sqlite3 "$D/fts_import.db" ".import --csv $CSV items"
  echo "== export of the imported types to CSV ($RUNS runs)"
  base=(); ours=()
  for _ in $(seq "$RUNS"); do
    read -r s _ < <(timed sqlite3 -csv -header "$D/fts_import.db" "select * from items")
    base+=("$s")
    read -r s _ < <(timed "$BIN" export --data "$D/import_data" "$D/export.csv")
    ours+=("$s")
  done
  b=$(median "${base[@]}"); o=$(median "${ours[@]}")
  size=$(stat -c %s "$D/export.csv")
  echo "  sqlite3 -csv: ${b}s   vitrina export: ${o}s ($((size / 1024 / 1024)) MiB)"
  summary+=("CSV export $ROWS types|vitrina export ${o}s|sqlite3 -csv ${b}s|$(python3 -c "print(f'{$o / max($b, 0.001):.2f}x')")")
fi

if [[ " $STEPS " == *" serve "* ]]; then
  echo "== public pages while an import runs"
  SERVE_DIR="$D/import_serve"
  rm -rf "$SERVE_DIR"
  "$BIN" demo load --data "$SERVE_DIR" >/dev/null 2>&1
  VITRINA_WARM_PAGES=false "$BIN" serve --data "$SERVE_DIR" --listen "127.0.0.1:$PORT" --no-demo \
    >"$D/import_serve.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  PATHS="$D/import_paths.txt"
  for s in $(sqlite3 "$SERVE_DIR/vitrina.db" "select slug from badge_types"); do
    echo "/types/$s"; echo "/ru/types/$s"; done > "$PATHS"
  echo "/" >> "$PATHS"; echo "/search?q=MOPR" >> "$PATHS"
  wrk_p99() { wrk -t1 -c4 -d"$1" --latency -s "$SHARED/wrk_mix.lua" "http://127.0.0.1:$PORT" -- "$PATHS" \
      | python3 -c 'import sys,json
for l in sys.stdin:
    if l.startswith("WRKJSON"): r=json.loads(l[7:]); print(r["lat_p99_ms"], r["rps"], r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"] + r["non_2xx_3xx"])'; }
  read -r idle_p99 idle_rps idle_err < <(wrk_p99 10s)
  # the import into the running server's database; wrk for as long as it runs
  ( "$BIN" import --data "$SERVE_DIR" --mode create "$CSV" >/dev/null 2>&1; echo done > "$D/import_serve.done" ) &
  IMPORTER=$!
  rm -f "$D/import_serve.done"
  t0=$(date +%s.%N)
  read -r busy_p99 busy_rps busy_err < <(wrk_p99 30s)
  wait "$IMPORTER" || true
  t1=$(date +%s.%N)
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; trap - EXIT
  echo "  idle: p99 ${idle_p99} ms (${idle_rps} req/s)   during the import: p99 ${busy_p99} ms (${busy_rps} req/s, errors ${busy_err}); import + wrk window $(python3 -c "print(f'{$t1 - $t0:.1f}')")s"
  summary+=("public pages p99 during an import of $ROWS rows|${busy_p99} ms|idle ${idle_p99} ms|target <= 50 ms")
fi

echo
echo "| figure | vitrina | baseline | ratio |"
echo "|---|---|---|---|"
for line in "${summary[@]}"; do
  IFS='|' read -r a b c e <<<"$line"; echo "| $a | $b | $c | $e |"
done | tee "$RES/import_summary.md"
