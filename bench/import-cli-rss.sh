#!/bin/bash
# Peak RSS of `kiko users import` (fresh process each, /usr/bin/time -v), each case on a fresh copy of its database.
#   bench/import-cli-rss.sh EMPTY_DB FULL_DB FILE_0 FILE_1 [ROUNDS]
# EMPTY_DB: the district `bench` with its org units and nobody in it; FULL_DB: the same after FILE_0 was applied;
# FILE_1: the same people, everyone in another org unit. Baseline of the same run: the CLI with its modules and the
# content set loaded, stopped at an unknown district.
set -euo pipefail
empty=$1 full=$2 file0=$3 file1=$4 rounds=${5:-1}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
  local label=$1 src=$2
  shift 2
  cp "$src" "$work/run.db"
  rm -f "$work/run.db-wal" "$work/run.db-shm"
  local kb
  kb=$(DATABASE_URL="file:$work/run.db" KIKO_KEY_DIR="$work/keys" /usr/bin/time -v node_modules/node/bin/node bin/kiko.mjs users import "$@" 2>&1 >/dev/null |
    awk '/Maximum resident set size/ { print $NF }')
  echo "$label: $((kb / 1024)) MB"
}
for ((i = 1; i <= rounds; i++)); do
  run 'baseline (modules loaded, unknown district)' "$empty" --tenant kein-landkreis "$file0" || true
  run 'dry run, everyone moves' "$full" --tenant bench "$file1" --dry-run
  run 'first apply (50,000 new)' "$empty" --tenant bench "$file0"
  run 'same file again' "$full" --tenant bench "$file0"
  run 'apply, everyone moves' "$full" --tenant bench "$file1"
done
