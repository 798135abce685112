#!/usr/bin/env bash
# Keeps a reused CARGO_TARGET_DIR from growing without bound.
#
# Every change to a workspace crate leaves its old test binaries and rlibs
# behind under a new hash; on a CI machine that reuses the target directory
# they pile up (tens of GiB after a few hundred runs) until the disk is full.
# For each artifact name in <profile>/deps this keeps the newest KEEP hashes
# (by modification time) and deletes the older ones. Cargo rebuilds anything
# it still needs, so pruning too much costs time, never correctness.
# `incremental/` is removed too when incremental compilation is off.
#
# Usage: scripts/prune-target.sh [TARGET_DIR]   (default $CARGO_TARGET_DIR)
set -euo pipefail

target="${1:-${CARGO_TARGET_DIR:?set CARGO_TARGET_DIR or pass the target dir}}"
keep="${BOSUN_PRUNE_KEEP:-3}"
[[ -d "$target" ]] || exit 0

before="$(du -sh "$target" 2>/dev/null | cut -f1)"
for profile in "$target"/debug "$target"/release; do
  deps="$profile/deps"
  [[ -d "$deps" ]] || continue
  if [[ "${CARGO_INCREMENTAL:-}" == 0 ]]; then
    rm -rf "$profile/incremental"
  fi
  # "<mtime> <file>" -> "<stem> <hash> <mtime>", newest hash first per stem,
  # then every hash after the first $keep of its stem.
  find "$deps" -maxdepth 1 -type f -printf '%T@ %f\n' |
    sed -nE 's/^([0-9.]+) (.+)-([0-9a-f]{16})(\.[A-Za-z0-9]+)?$/\2 \3 \1/p' |
    sort -k1,1 -k2,2 -k3,3nr |
    awk '!seen[$1 " " $2]++' |
    sort -k1,1 -k3,3nr |
    awk -v keep="$keep" '++count[$1] > keep { print $1 "-" $2 }' |
    while read -r stale; do
      rm -f "$deps/$stale" "$deps/$stale".*
    done
done
echo "target dir $target: $before before pruning, $(du -sh "$target" | cut -f1) after"
