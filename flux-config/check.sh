#!/usr/bin/env bash
# Render every kustomization under flux-config/ with `kubectl kustomize`.
#
# Usage: flux-config/check.sh            (from anywhere)
#        KUBECTL=/path/to/kubectl flux-config/check.sh
#
# Every directory holding a kustomization.yaml (bases, env overlays and the
# clusters/ entry points) must render. Directories outside a `base/` tree are
# what Flux applies, so their output must also be free of the `set-by-overlay`
# placeholders the bases carry for env-specific values.
# If yamllint is installed, the tree is also linted with flux-config/.yamllint.
# Exits non-zero, naming each failing directory, if any check fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl="${KUBECTL:-kubectl}"
placeholder="set-by-overlay"

if ! command -v "$kubectl" >/dev/null 2>&1; then
  echo "check.sh: kubectl not found (set KUBECTL)" >&2
  exit 2
fi

mapfile -t dirs < <(
  find "$root" \
    \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) \
    -type f -printf '%h\n' | LC_ALL=C sort -u
)

if [[ ${#dirs[@]} -eq 0 ]]; then
  echo "check.sh: no kustomization found under $root" >&2
  exit 1
fi

failed=()
out="$(mktemp)"
err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT

for dir in "${dirs[@]}"; do
  rel="${dir#"$root"/}"
  if ! "$kubectl" kustomize "$dir" >"$out" 2>"$err"; then
    echo "FAIL $rel: kubectl kustomize failed:" >&2
    sed 's/^/    /' "$err" >&2
    failed+=("$rel")
    continue
  fi
  case "/$rel/" in
    */base/*) ;;
    *)
      if grep -q -- "$placeholder" "$out"; then
        echo "FAIL $rel: rendered output still contains '$placeholder':" >&2
        grep -n -- "$placeholder" "$out" | sed 's/^/    /' >&2
        failed+=("$rel")
        continue
      fi
      ;;
  esac
  echo "ok   $rel ($(grep -c '^kind:' "$out") objects)"
done

if command -v yamllint >/dev/null 2>&1; then
  if yamllint -f parsable -c "$root/.yamllint" "$root"; then
    echo "ok   yamllint"
  else
    echo "FAIL yamllint (see above)" >&2
    failed+=("yamllint")
  fi
else
  echo "skip yamllint (not installed)"
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "check.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "check.sh: all ${#dirs[@]} kustomizations render"
