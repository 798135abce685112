#!/usr/bin/env bash
# bosun's overhead around a terraform plan (budget: under 5% of the plan).
#
#   bench/plan.sh             (RESOURCES=200 RUNS=20 by default)
#
# Generates a root of $RESOURCES terraform_data resources with the local
# backend, applies it once, then times with hyperfine:
#   1. bare `terraform plan` (what an operator would run);
#   2. `terraform plan` then `show -json` in a shell: the least bosun needs,
#      since the summary, the gate and the drift report read the JSON;
#   3. one plan through bosun's TerraformRunner (bot/benches/plan_overhead.rs)
#      with an init cache: the kept `.terraform` instead of `init`, plan,
#      `show -json`, parsing, masking, summary and comment;
#   4. `bosun plan <env>`, the CLI in local mode on a git checkout of the same
#      root: .bosun.yaml read, the project's files written to a fresh per-run
#      checkout from git, then 3 (the init key is the same on every run, so
#      after the first run no `init` happens).
# bosun's overhead is 3 and 4 against 1; against 2 it is bosun's own work.
# Writes bench/results/plan-<date>.txt.
# BOSUN_BIN picks the bosun binary (default: a release build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bosun-target}"
resources="${RESOURCES:-200}"
runs="${RUNS:-20}"

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
install_python_tools
command -v hyperfine >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }

bench_bin="$(cargo bench -p bosun --bench plan_overhead --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "plan_overhead" and m.get("executable"):
        print(m["executable"])')"
[[ -x $bench_bin ]] || { echo "plan_overhead bench binary not built" >&2; exit 1; }
bosun_bin="${BOSUN_BIN:-}"
if [[ -z $bosun_bin ]]; then
  cargo build --release -p bosun >/dev/null 2>&1
  bosun_bin="$CARGO_TARGET_DIR/release/bosun"
fi
[[ -x $bosun_bin ]] || { echo "bosun binary not found at $bosun_bin" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# An empty CLI config: no warning, and the wrapper does not re-exec itself.
: >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
# The root lives in a git checkout (for `bosun plan`); its state outside it,
# so the bare runs and bosun's per-run checkout plan against the same state.
repo="$work/repo"
dir="$repo/terraform/envs/bench"
mkdir -p "$dir"
{
  printf 'terraform {\n  backend "local" {\n    path = "%s/bench.tfstate"\n  }\n}\n\n' "$work"
  for i in $(seq 1 "$resources"); do
    printf 'resource "terraform_data" "r%d" {\n  input = "value-%d"\n}\n\n' "$i" "$i"
  done
} >"$dir/main.tf"
printf 'environments:\n  - name: bench\nterraform:\n  projects:\n    - name: bench\n      dir: terraform/envs/bench\n' >"$repo/.bosun.yaml"
printf '.terraform/\n*.tfplan\n.terraform.lock.hcl\n.bosun/\n' >"$repo/.gitignore"
git -C "$repo" init -q -b main
git -C "$repo" add .
git -C "$repo" -c user.name=bench -c user.email=bench@bosun.invalid commit -q -m bench
(cd "$dir" && terraform init -input=false -no-color >/dev/null && terraform apply -input=false -no-color -auto-approve >/dev/null)

plan_args="-input=false -no-color -lock-timeout=60s -detailed-exitcode"
mkdir -p bench/results
out="bench/results/plan-$(date -u +%Y%m%dT%H%M%SZ).txt"
json="$work/hyperfine.json"

hyperfine --warmup 2 --runs "$runs" --export-json "$json" \
  -n "terraform plan" "cd $dir && terraform plan $plan_args -out=bare.tfplan >/dev/null" \
  -n "terraform plan+show -json" "cd $dir && terraform plan $plan_args -out=steps.tfplan >/dev/null; terraform show -json steps.tfplan >/dev/null" \
  -n "bosun TerraformRunner" "BOSUN_PLAN_DIR=$dir BOSUN_PLAN_INIT_CACHE=$work/runner-init-cache $bench_bin 2>/dev/null" \
  -n "bosun plan (CLI)" "$bosun_bin plan bench --repo $repo --data-dir $work/bosun-data >/dev/null" |
  tee "$out"

python3 - "$json" "$resources" <<'EOF' | tee -a "$out"
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
bare = results["terraform plan"]["mean"]
steps = results["terraform plan+show -json"]["mean"]
bosun = results["bosun TerraformRunner"]["mean"]
cli = results["bosun plan (CLI)"]["mean"]
print(f"\n{sys.argv[2]} terraform_data resources, applied; means:")
print(f"  bare plan {bare * 1000:.1f} ms, plan+show -json in a shell {steps * 1000:.1f} ms, bosun runner {bosun * 1000:.1f} ms, bosun plan {cli * 1000:.1f} ms")
print(f"  bosun runner vs bare plan:              {(bosun / bare - 1) * 100:+.1f}%  (budget < 5%)")
print(f"  bosun plan (CLI) vs bare plan:          {(cli / bare - 1) * 100:+.1f}%  (budget < 5%)")
print(f"  plan+show -json vs bare plan:           {(steps / bare - 1) * 100:+.1f}%  (the second process alone)")
print(f"  bosun plan (CLI) vs plan+show -json:    {(cli / steps - 1) * 100:+.1f}%  (bosun's own work)")
EOF
