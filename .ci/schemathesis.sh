#!/usr/bin/env bash
# schemathesis against the running server: every operation of /api/v1/openapi.json, anonymous and
# with a write token, with all checks on and a bounded number of examples.
#
#   .ci/schemathesis.sh [PATH-TO-VITRINA-BINARY]   (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-${CARGO_TARGET_DIR:-target}/debug/vitrina}"
examples="${ST_EXAMPLES:-25}"
budget="${ST_MAX_TIME:-240}"
data="$(mktemp -d)"
log="$data/server.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# schemathesis sends thousands of writes and made-up tokens from one address: the rate limits
# (tested in crates/web/tests/api.rs) are raised so that every request reaches its handler.
VITRINA_API_WRITES_PER_MINUTE=1000000 VITRINA_API_WRITE_BURST=1000000 \
  VITRINA_AUTH_FAILURES_PER_MINUTE=1000000 \
  "$bin" serve --data "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
echo "correct horse battery staple" | "$bin" user add st-editor --role editor --password-stdin --data "$data" >/dev/null
token=$("$bin" token create schemathesis --user st-editor --scope write --data "$data" | grep -o 'vt_[0-9a-f]*' | head -1)
schema="http://127.0.0.1:$port/api/v1/openapi.json"
common=(--checks all --max-examples "$examples" --max-time "$budget" --workers 2
  --generation-deterministic --no-color --request-timeout 10 --suppress-health-check all
  --warnings off)
# One pass; schemathesis itself sometimes crashes inside CPython while it compiles its
# generators ("Runtime Error", with no finding about the server). Such a pass, and only such a
# pass, is run again, at most twice; any failure the server is to blame for fails at once.
pass_of() {
  local out="$data/st.out" tries=0 rc
  while :; do
    tries=$((tries + 1))
    set +e
    st --config-file .ci/schemathesis.toml run "$schema" "${common[@]}" "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    [ "$rc" -eq 0 ] && return 0
    if grep -q "^Failures:" "$out" || ! grep -q "Runtime Error" "$out" || [ "$tries" -ge 3 ]; then
      return "$rc"
    fi
    echo "== schemathesis crashed inside itself (no failure found); running the pass again"
  done
}
echo "== schemathesis, anonymous"
pass_of
echo "== schemathesis, with a write token"
pass_of -H "Authorization: Bearer $token"
if ! kill -0 $server 2>/dev/null; then
  echo "the server died during the run:"; tail -50 "$log"; exit 1
fi
if grep -q "panicked" "$log"; then
  echo "the server panicked:"; grep -A5 panicked "$log"; exit 1
fi
echo "schemathesis: the server stayed up"
