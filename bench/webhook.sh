#!/usr/bin/env bash
# Benchmark of webhook ingest (verify + durable append + ack) on GitHub's
# real pull_request.opened payload, against a release build of `bosun serve`.
#
#   bench/webhook.sh            (installs wrk from Debian's packages if missing)
#
# Reports: time to ready, idle RSS, then for 16 and 64 connections the
# requests/s, p50/p99 latency, peak RSS, and server CPU per request (which
# includes the reconcile each accepted event causes); and a run paced at
# 1,000 requests/s over 16 connections (wrk's delay() hook; wrk2 is not
# packaged), where the budget is p99 under 5 ms.
# Writes everything to bench/results/webhook-<date>.txt as well.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bosun-target}"
duration="${DURATION:-15s}"
port="${PORT:-18080}"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release --locked -p bosun >/dev/null
bin="$CARGO_TARGET_DIR/release/bosun"

work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
secret="bench-secret"
body="bot/tests/fixtures/github/webhooks/pull_request.opened.json"
signature="sha256=$(openssl dgst -sha256 -hmac "$secret" -r "$body" | cut -d' ' -f1)"

git init -q "$work/repo"
git -C "$work/repo" -c user.name=b -c user.email=b@b commit -q --allow-empty -m init

mkdir -p bench/results
out="bench/results/webhook-$(date -u +%Y%m%dT%H%M%SZ).txt"

start_ns=$(date +%s%N)
BOSUN_LOG=warn BOSUN_GITHUB_WEBHOOK_SECRET="$secret" "$bin" serve \
  --listen "127.0.0.1:$port" --data-dir "$work/data" --repo "$work/repo" >"$work/serve.log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep 2
idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)

{
  echo "bosun webhook ingest benchmark, $(date -u), $(nproc) cores"
  echo "payload: $body ($(stat -c %s "$body") bytes)"
  echo "ready_ms (process start to /readyz 200, includes exec): $ready_ms"
  echo "idle_rss_mb: $(awk "BEGIN {printf \"%.1f\", $idle_kb/1024}")"
  for run in "16 max" "64 max" "16 1000"; do
    read -r conns rate <<<"$run"
    before=$(cpu_ticks)
    pacing=()
    [[ $rate != max ]] && pacing=(RATE="$rate")
    result=$(env "${pacing[@]}" CONNECTIONS="$conns" BODY_FILE="$body" SIGNATURE="$signature" wrk -t2 -c"$conns" -d"$duration" \
      -s bench/webhook.lua "http://127.0.0.1:$port/webhooks/github" | grep '^requests=')
    after=$(cpu_ticks)
    peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    requests=${result#*requests=}; requests=${requests%% *}
    cpu_us=$(awk "BEGIN {printf \"%.1f\", ($after-$before)/$hz*1e6/$requests}")
    echo "connections=$conns target_rps=$rate $result server_cpu_us_per_request=$cpu_us peak_rss_mb=$(awk "BEGIN {printf \"%.1f\", $peak_kb/1024}")"
  done
} | tee "$out"
