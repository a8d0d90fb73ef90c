#!/usr/bin/env bash
# Issue #12 benchmark: backup and restore of 100,000 badge types with 1,000 photos, on SQLite
# and on PostgreSQL — times and sizes — beside the engines' own tools from the same run
# (`sqlite3 .backup` + `tar` of the media folder; `pg_dump -Fc` + the same tar), which copy
# less (no checksums, no portable form) and restore to one engine only.
#
#   bench/backup.sh          # ITEMS=100000 PHOTOS=1000 by default; SKIP_BUILD=1 reuses the build
#
# Steps: generate the catalogue (shared/bench/gen_catalog.py, a CSV) and PHOTOS distinct
# 2000×1500 JPEGs (Pillow), load the CSV into SQLite (operations' example load_generated_csv),
# attach one photo to each of the first PHOTOS types through the upload pipeline (example
# attach_photos), then time with the release binary:
#   vitrina backup   (SQLite)        →  archive size
#   vitrina restore  into a fresh data folder (SQLite)
#   vitrina migrate --to postgres    (the same two halves, without the originals)
#   vitrina backup   (PostgreSQL)    and   vitrina restore into a fresh PostgreSQL database
# PostgreSQL at PGURL (default postgres://postgres@127.0.0.1:5432); the two databases made
# here are dropped at the end. Everything stays on this machine.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
D="${BENCH_DATA:-/tmp/vitrina-bench}"
ITEMS="${ITEMS:-100000}"
PHOTOS="${PHOTOS:-1000}"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export VITRINA_LOG=warn
CSV="$D/catalog_${ITEMS}.csv"
PHOTO_DIR="$D/backup_photos_${PHOTOS}"
W="$D/backup"
mkdir -p "$D/results"

if [ ! -s "$CSV" ]; then
  python3 "$SHARED/gen_catalog.py" --items "$ITEMS" --out "$CSV"
fi
if [ "$(ls "$PHOTO_DIR"/*.jpg 2>/dev/null | wc -l)" -lt "$PHOTOS" ]; then
  python3 -c 'import PIL' 2>/dev/null || pip install -q pillow
  rm -rf "$PHOTO_DIR"
  python3 "$SHARED/gen_catalog.py" --items 0 --photos "$PHOTOS" --photo-dir "$PHOTO_DIR" \
    --photo-size 2000x1500
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== release build"
  (cd "$ROOT" && cargo build --release -q -p vitrina \
    && cargo build --release -q -p vitrina-operations --example load_generated_csv --example attach_photos)
fi
BIN="$CARGO_TARGET_DIR/release/vitrina"
EX="$CARGO_TARGET_DIR/release/examples"

PG1="vitrina_bench_backup_$$_a"; PG2="vitrina_bench_backup_$$_b"
cleanup() {
  for db in "$PG1" "$PG2"; do psql "$PGURL/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

rm -rf "$W"; mkdir -p "$W/source"
SRC="$W/source"
echo "== loading $ITEMS types and attaching $PHOTOS photos"
"$EX/load_generated_csv" "$CSV" "sqlite://$SRC/vitrina.db"
"$EX/attach_photos" "sqlite://$SRC/vitrina.db" "$SRC/media" "$PHOTO_DIR"

# seconds a command takes (its output kept in the results folder)
timed() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$D/results/backup_$name.log" 2>&1 || { cat "$D/results/backup_$name.log"; exit 1; }
  t1=$(date +%s.%N)
  awk "BEGIN { printf \"%.1f\", $t1 - $t0 }"
}
size() { du -b "$1" | awk '{ printf "%.0f MB", $1 / 1000000 }'; }

echo "== SQLite"
t_backup=$(timed sqlite_backup "$BIN" --data "$SRC" backup "$W/sqlite.zip")
s_backup=$(size "$W/sqlite.zip")
t_restore=$(timed sqlite_restore "$BIN" --data "$W/restored" restore "$W/sqlite.zip")
t_sqlite3=$(timed sqlite3 sqlite3 "$SRC/vitrina.db" ".backup $W/baseline.db")
t_tar=$(timed tar tar -cf "$W/media.tar" -C "$SRC" media)
s_baseline=$(du -bc "$W/baseline.db" "$W/media.tar" | tail -1 | awk '{ printf "%.0f MB", $1 / 1000000 }')

echo "== PostgreSQL"
psql "$PGURL/postgres" -q -c "CREATE DATABASE $PG1" -c "CREATE DATABASE $PG2"
t_migrate=$(timed migrate "$BIN" --data "$SRC" migrate --to "$PGURL/$PG1")
t_pg_backup=$(timed pg_backup "$BIN" --data "$SRC" --database "$PGURL/$PG1" backup "$W/postgres.zip")
s_pg_backup=$(size "$W/postgres.zip")
mkdir -p "$W/pg_restored"
t_pg_restore=$(timed pg_restore "$BIN" --data "$W/pg_restored" --database "$PGURL/$PG2" restore "$W/postgres.zip")
t_pg_dump=$(timed pg_dump pg_dump -Fc -f "$W/baseline.pgdump" "$PGURL/$PG1")
s_pg_dump=$(du -bc "$W/baseline.pgdump" "$W/media.tar" | tail -1 | awk '{ printf "%.0f MB", $1 / 1000000 }')

cat <<EOF | tee "$D/results/backup.txt"
Backup and restore: $ITEMS types, $PHOTOS photos of 2000x1500 ($(du -sb "$SRC/media/originals" | awk '{ printf "%.0f MB", $1 / 1000000 }') of originals), release build
SQLite     vitrina backup    ${t_backup} s, ${s_backup}
           vitrina restore   ${t_restore} s (into a fresh data folder; the search index rebuilt)
           baseline          sqlite3 .backup ${t_sqlite3} s + tar of media ${t_tar} s, ${s_baseline}
PostgreSQL vitrina migrate   ${t_migrate} s (SQLite to PostgreSQL, originals left in place)
           vitrina backup    ${t_pg_backup} s, ${s_pg_backup}
           vitrina restore   ${t_pg_restore} s (into an empty database, a fresh data folder)
           baseline          pg_dump -Fc ${t_pg_dump} s + tar of media ${t_tar} s, ${s_pg_dump}
EOF
