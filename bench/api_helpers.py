#!/usr/bin/env python3
"""Helpers of bench/api.sh (stdlib only).

  api_helpers.py type-paths DB OUT_VITRINA OUT_NGINX [--curl FILE --port PORT --root DIR]
      The published types' API paths (/api/v1/types/SLUG) and the static copies' paths
      (/api/v1/types/SLUG.json); with --curl, a `curl --config` file that fetches each body
      once from 127.0.0.1:PORT into DIR/api/v1/types/SLUG.json.
  api_helpers.py deep-paths DB OUT [--n 1000] [--limit 20] [--seed 20240601] [--from 0.5]
      Cursor paths /api/v1/types?limit=L&cursor=C at N random offsets in the last part of the
      published list (offsets from FROM x total to total - L), the cursor computed straight from
      the database as the API makes it: base64url (no padding) of
      {"k":{"p":POSITION,"n":"NAME_EN","i":ID}}, the row just before the page.
  api_helpers.py check-paths PORT PATHS [--max 0]
      Every path (or the first MAX) answers 200 on 127.0.0.1:PORT, before anything is timed.
  api_helpers.py sqlite-baseline DIR --seconds S [--rows 16] [--doc-bytes 2000]
      One writer in a loop of one-row transactions (BEGIN IMMEDIATE; UPDATE; COMMIT) on a
      scratch database in DIR, with journal_mode=WAL and synchronous=NORMAL as Vitrina's store
      opens SQLite; prints one JSON line: tx/s, p50/p99 ms.
  api_helpers.py wrk-median OUT FILE...
      The median over repeats of wrk_mix.lua's WRKJSON lines (errors summed), as JSON in OUT.
  api_helpers.py summary RESULTS_DIR
      The table of every figure beside its baseline (reads RESULTS_DIR/api_*.json).
"""
import argparse
import base64
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import time


def type_paths(a):
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    slugs = [r[0] for r in con.execute(
        "SELECT slug FROM badge_types WHERE published = 1 ORDER BY id")]
    with open(a.out_vitrina, "w") as v, open(a.out_nginx, "w") as n:
        for s in slugs:
            v.write(f"/api/v1/types/{s}\n")
            n.write(f"/api/v1/types/{s}.json\n")
    if a.curl:
        with open(a.curl, "w") as c:
            for s in slugs:
                c.write(f'url = "http://127.0.0.1:{a.port}/api/v1/types/{s}"\n'
                        f'output = "{a.root}/api/v1/types/{s}.json"\n')
    print(len(slugs))


def cursor(position, name_en, id_):
    raw = json.dumps({"k": {"p": position, "n": name_en, "i": id_}},
                     ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def deep_paths(a):
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    total = con.execute("SELECT count(*) FROM badge_types WHERE published = 1").fetchone()[0]
    lo, hi = int(total * a.from_frac), total - a.limit - 1
    if hi <= lo:
        sys.exit(f"too few types ({total}) for deep cursors")
    rnd = random.Random(a.seed)
    want = sorted(set(rnd.randint(lo, hi) for _ in range(a.n)))
    # One pass over the list's own index instead of one OFFSET query per cursor.
    rows, wanted, k = {}, set(want), 0
    cur = con.execute("SELECT position, name_en, id FROM badge_types WHERE published = 1 "
                      "ORDER BY position, name_en, id")
    for k, row in enumerate(cur):
        if k in wanted:
            rows[k] = row
        if k >= want[-1]:
            break
    # spot check against the query of the API's documentation (OFFSET), once
    probe = want[len(want) // 2]
    assert con.execute("SELECT position, name_en, id FROM badge_types WHERE published = 1 "
                       "ORDER BY position, name_en, id LIMIT 1 OFFSET ?", (probe,)).fetchone() \
        == rows[probe]
    order = list(want)
    rnd.shuffle(order)
    with open(a.out, "w") as f:
        for off in order:
            f.write(f"/api/v1/types?limit={a.limit}&cursor={cursor(*rows[off])}\n")
    print(json.dumps({"total": total, "cursors": len(order), "offset_min": want[0],
                      "offset_max": want[-1]}))


def check_paths(a):
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
    n = 0
    for line in open(a.paths):
        p = line.strip()
        if not p:
            continue
        conn.request("GET", p)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit(f"{p}: {r.status} {body[:300]!r}")
        n += 1
        if a.max and n >= a.max:
            break
    print(f"checked {n} paths: all 200")


def sqlite_baseline(a):
    path = os.path.join(a.dir, "sqlite_baseline.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    con = sqlite3.connect(path, isolation_level=None)
    mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, "
                "doc TEXT NOT NULL) STRICT")
    doc = "x" * a.doc_bytes
    con.executemany("INSERT INTO t VALUES (?, 1, ?)", [(i, doc) for i in range(a.rows)])
    sync = con.execute("PRAGMA synchronous").fetchone()[0]
    lat = []
    n = 0
    deadline = time.perf_counter() + a.seconds
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        if t0 >= deadline:
            break
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE t SET version = version + 1, doc = ? WHERE id = ?",
                    (doc[:-12] + f"{n:012}", n % a.rows))
        con.execute("COMMIT")
        lat.append(time.perf_counter() - t0)
        n += 1
    secs = time.perf_counter() - start
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, max(0, int(q * len(lat) + 0.999999) - 1))] * 1000
    con.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    print(json.dumps({"tx": n, "seconds": round(secs, 2), "tx_per_s": round(n / secs, 1),
                      "p50_ms": round(pct(0.5), 3), "p99_ms": round(pct(0.99), 3),
                      "journal_mode": mode, "synchronous": sync, "doc_bytes": a.doc_bytes,
                      "sqlite": sqlite3.sqlite_version}))


def wrk_median(a):
    rows = []
    for fn in a.files:
        for line in open(fn):
            if line.startswith("WRKJSON "):
                rows.append(json.loads(line[8:]))
    if not rows:
        sys.exit(f"no WRKJSON line in {a.files}")
    out = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    out["errors"] = sum(r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
                        + r["non_2xx_3xx"] for r in rows)
    out["runs"] = len(rows)
    out["rps_range"] = [min(r["rps"] for r in rows), max(r["rps"] for r in rows)]
    out["bytes_per_response"] = round(statistics.median(r["bytes"] / max(1, r["requests"])
                                                        for r in rows))
    json.dump(out, open(a.out, "w"))
    print(f"req/s {out['rps']:.0f}  p50 {out['lat_p50_ms']:.2f} ms  p99 {out['lat_p99_ms']:.2f} ms"
          f"  errors {out['errors']}  bytes/resp {out['bytes_per_response']}")


def summary(a):
    res = a.results

    def load(name):
        p = os.path.join(res, f"api_{name}.json")
        return json.load(open(p)) if os.path.exists(p) else None

    def guard(label):
        p = os.path.join(res, f"guard_api_{label}.jsonl")
        if not os.path.exists(p):
            return "-"
        g = json.loads(open(p).read().strip().splitlines()[-1])
        return f"{g['foreign_cpu_s']:.1f}"

    meta = load("meta") or {}
    rows = []  # measurement, vitrina, baseline, ratio, target, met, foreign cpu-s

    def yes(ok):
        return "yes" if ok else "NO"

    v, n = load("get_vitrina"), load("get_nginx")
    if v and n:
        ratio = v["rps"] / n["rps"]
        label = f"GET /api/v1/types/{{slug}}, random of {meta.get('items', '?'):,} types"
        g = f"{guard('get_vitrina')} / {guard('get_nginx')}"
        rows.append((f"{label}: req/s", f"{v['rps']:.0f}", f"nginx {n['rps']:.0f}",
                     f"{ratio:.2f}", ">= 0.8x", yes(ratio >= 0.8), g))
        rows.append(("  p50 / p99 (ms)", f"{v['lat_p50_ms']:.2f} / {v['lat_p99_ms']:.2f}",
                     f"{n['lat_p50_ms']:.2f} / {n['lat_p99_ms']:.2f}",
                     f"p99 {v['lat_p99_ms'] / n['lat_p99_ms']:.2f}" if n["lat_p99_ms"] else "-",
                     "p99 <= 10 ms", yes(v["lat_p99_ms"] <= 10), ""))
        rows.append(("  errors, bytes/response", f"{v['errors']}, {v['bytes_per_response']}",
                     f"{n['errors']}, {n['bytes_per_response']}", "", "0 errors",
                     yes(v["errors"] == 0 and n["errors"] == 0), ""))
    d, f = load("deep_vitrina"), load("first_vitrina")
    if d and f:
        label = f"GET /api/v1/types?limit=20&cursor= deep in {meta.get('deep_items', '?'):,}"
        rows.append((f"{label}: p99 (ms)", f"{d['lat_p99_ms']:.2f}",
                     f"first page {f['lat_p99_ms']:.2f}",
                     f"{d['lat_p99_ms'] / f['lat_p99_ms']:.2f}", "<= 10 ms",
                     yes(d["lat_p99_ms"] <= 10 and d["errors"] == 0),
                     f"{guard('deep')} / {guard('first')}"))
        rows.append(("  req/s, p50 (ms)", f"{d['rps']:.0f}, {d['lat_p50_ms']:.2f}",
                     f"{f['rps']:.0f}, {f['lat_p50_ms']:.2f}", f"{d['rps'] / f['rps']:.2f}",
                     "same as first", "", ""))
        rows.append(("  errors", f"{d['errors']}", f"{f['errors']}", "", "0",
                     yes(d["errors"] == 0 and f["errors"] == 0), ""))
    for engine in ("postgres", "sqlite"):
        p = load(f"put_{engine}")
        if not p:
            continue
        clients = p["clients"]
        if engine == "postgres":
            b = load("pgbench")
            base = f"pgbench -N -c{clients} {b['tps']:.0f} tx/s" if b else "-"
            ratio = p["saves_per_s"] / b["tps"] if b else float("nan")
            target, met = ">= 0.2x", yes(b is not None and ratio >= 0.2)
            base_p = f"pgbench avg {b['latency_avg_ms']:.2f}" if b else "-"
            g = f"{guard('put_postgres')} / {guard('pgbench')}"
        else:
            b = load("sqlite_baseline")
            base = f"1 writer {b['tx_per_s']:.0f} tx/s" if b else "-"
            ratio = p["saves_per_s"] / b["tx_per_s"] if b else float("nan")
            target, met = "beside", ""
            base_p = f"{b['p50_ms']:.2f} / {b['p99_ms']:.2f}" if b else "-"
            g = f"{guard('put_sqlite')} / {guard('sqlite_baseline')}"
        rows.append((f"PUT /api/v1/types/{{slug}}, {clients} clients, {engine}: saves/s",
                     f"{p['saves_per_s']:.1f}", base, f"{ratio:.3f}", target, met, g))
        rows.append(("  p50 / p99 (ms)", f"{p['p50_ms']:.2f} / {p['p99_ms']:.2f}", base_p, "",
                     "p99 <= 50 ms" if engine == "postgres" else "",
                     yes(p["p99_ms"] <= 50) if engine == "postgres" else "", ""))
        rows.append(("  errors (412 / 429 / other / transport)",
                     f"{p['errors']} ({p['conflicts_412']} / {p['rate_limited_429']} / "
                     f"{p['other_status']} / {p['transport_errors']})", "", "", "0",
                     yes(p["errors"] == 0), ""))
    u = load("upload_memory")
    if u:
        growth = u["after_mib"] - u["before_mib"]
        # bounded: the peak grows by far less than the upload (a quarter, or 64 MiB at most)
        ok = growth * 1.048576 < max(64.0, u["total_mb"] / 4) if u["total_mb"] > 256 else \
            growth < 64
        rows.append((f"peak RSS (VmHWM), {u['files']} photos of {u['size_mb']:g} MB in one "
                     f"upload (MiB)", f"{u['after_mib']:.0f}",
                     f"before {u['before_mib']:.0f}; upload {u['total_mb']:.0f} MB",
                     f"+{growth:.0f} MiB", "bounded", yes(ok), guard("upload_memory")))
    head = ("measurement", "vitrina", "baseline (same run)", "ratio", "target", "met",
            "foreign CPU-s")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print()
    print(f"== bench/api.sh summary ({meta.get('date', '')}; {meta.get('git', '')})")
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    for k in ("wrk", "put", "notes"):
        if meta.get(k):
            print(f"{k}: {meta[k]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    x = sub.add_parser("type-paths")
    x.add_argument("db"); x.add_argument("out_vitrina"); x.add_argument("out_nginx")
    x.add_argument("--curl"); x.add_argument("--port", type=int); x.add_argument("--root")
    x = sub.add_parser("deep-paths")
    x.add_argument("db"); x.add_argument("out")
    x.add_argument("--n", type=int, default=1000)
    x.add_argument("--limit", type=int, default=20)
    x.add_argument("--seed", type=int, default=20240601)
    x.add_argument("--from", dest="from_frac", type=float, default=0.5)
    x = sub.add_parser("check-paths")
    x.add_argument("port", type=int); x.add_argument("paths")
    x.add_argument("--max", type=int, default=0)
    x = sub.add_parser("sqlite-baseline")
    x.add_argument("dir")
    x.add_argument("--seconds", type=float, required=True)
    x.add_argument("--rows", type=int, default=16)
    x.add_argument("--doc-bytes", type=int, default=2000)
    x = sub.add_parser("wrk-median")
    x.add_argument("out"); x.add_argument("files", nargs="+")
    x = sub.add_parser("summary")
    x.add_argument("results")
    a = ap.parse_args()
    {"type-paths": type_paths, "deep-paths": deep_paths, "check-paths": check_paths,
     "sqlite-baseline": sqlite_baseline, "wrk-median": wrk_median, "summary": summary}[a.cmd](a)


if __name__ == "__main__":
    main()
