#!/usr/bin/env bash
# Time to a GPU cost report: `bosun cost prd --period 7d --chart` against a
# real Prometheus (Debian's 2.42) holding two weeks of a generated cluster.
#
#   bench/cost.sh          (NAMESPACES=20 GPUS_PER_NS=2 RUNS=10 by default)
#
# Generates kube-state-metrics and dcgm-exporter series for $NAMESPACES
# namespaces (one Running pod each, $GPUS_PER_NS GPUs) sampled every 2 minutes
# over 15 days, backfills them with promtool, starts Prometheus on 127.0.0.1
# and times with hyperfine the release `bosun cost` (8 range queries of 10,080
# steps: this week and the week before), report and PNG chart included.
# Writes bench/results/cost-<date>.txt too.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bosun-target}"
namespaces="${NAMESPACES:-20}"
gpus="${GPUS_PER_NS:-2}"
runs="${RUNS:-10}"

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
mkdir -p "$tools_dir/bin"
export PATH="$tools_dir/bin:$PATH"
install_prometheus
command -v hyperfine >/dev/null 2>&1 || apt_install hyperfine

cargo build --release -p bosun >/dev/null
bosun="$CARGO_TARGET_DIR/release/bosun"

work="$(mktemp -d)"
prom_pid=""
cleanup() {
  [[ -n "$prom_pid" ]] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== generating $namespaces namespaces x $gpus GPUs, 15 days every 2 minutes"
python3 - "$work/data.om" "$namespaces" "$gpus" <<'PY'
import sys, time
path, namespaces, gpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
end = int(time.time()) // 3600 * 3600
start = end - 15 * 86400
stamps = range(start, end, 120)
with open(path, "w") as out:
    out.write("# TYPE kube_pod_container_resource_requests gauge\n")
    for n in range(namespaces):
        labels = f'cluster="bench",namespace="ns{n}",pod="p{n}",container="main",resource="nvidia_com_gpu",unit="integer"'
        out.writelines(f"kube_pod_container_resource_requests{{{labels}}} {gpus} {t}\n" for t in stamps)
    out.write("# TYPE kube_pod_status_phase gauge\n")
    for n in range(namespaces):
        labels = f'cluster="bench",namespace="ns{n}",pod="p{n}",phase="Running"'
        out.writelines(f"kube_pod_status_phase{{{labels}}} 1 {t}\n" for t in stamps)
    out.write("# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n")
    for n in range(namespaces):
        for g in range(gpus):
            labels = f'cluster="bench",gpu="{g}",UUID="GPU-{n}-{g}",modelName="NVIDIA A100-SXM4-80GB",Hostname="node{n}",namespace="ns{n}",pod="p{n}",container="main"'
            util = (n * 7 + g * 13) % 100
            out.writelines(f"DCGM_FI_DEV_GPU_UTIL{{{labels}}} {util} {t}\n" for t in stamps)
    out.write("# EOF\n")
PY
ls -la "$work/data.om" | awk '{print "   dataset:", $5, "bytes"}'

echo "== backfilling"
start_backfill=$(date +%s)
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/tsdb" >/dev/null
echo "   took $(( $(date +%s) - start_backfill )) s"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "scrape_configs: []" >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --storage.tsdb.retention.time=3650d --web.listen-address="127.0.0.1:$port" \
  2>"$work/prometheus.log" &
prom_pid=$!
until grep -q "Server is ready to receive web requests" "$work/prometheus.log"; do
  kill -0 "$prom_pid" 2>/dev/null || { cat "$work/prometheus.log"; exit 1; }
  sleep 0.2
done

repo="$work/repo"
mkdir -p "$repo"
git -C "$repo" init -q -b main
cat >"$repo/.bosun.yaml" <<YAML
cost:
  prometheus: http://127.0.0.1:$port
  prices:
    NVIDIA A100-SXM4-80GB: 3.40
  envs:
    prd:
      cluster: bench
YAML
git -C "$repo" add . && git -C "$repo" -c user.name=b -c user.email=b@b commit -q -m init

cmd="$bosun cost prd --period 7d --chart $work/chart.png --repo $repo --data-dir $work/data"
$cmd | head -8
mkdir -p bench/results
hyperfine --warmup 1 --runs "$runs" "$cmd" | tee "bench/results/cost-$(date +%Y-%m-%d).txt"
