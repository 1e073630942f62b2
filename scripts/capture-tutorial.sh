#!/usr/bin/env bash
# Refreshes the captured output in docs/tutorial.md: every fenced block that follows a
# line `<!-- capture: ARGS -->` is replaced by what `racedemo ARGS` prints now (built
# CLI, no colour, 150 columns, UTF-8 bars).  The docs never show invented output.
# usage: scripts/capture-tutorial.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rd=${1:-$root/build}/cli/racedemo
doc=$root/docs/tutorial.md
[ -x "$rd" ] || { echo "capture-tutorial: build racedemo first ($rd)" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
skipping=0
while IFS= read -r line; do
  if [ $skipping = 2 ]; then          # inside the old block: drop it up to its fence
    [ "$line" = '```' ] && skipping=0
    continue
  fi
  printf '%s\n' "$line" >>"$tmp"
  if [[ $line =~ ^\<\!--\ capture:\ (.*)\ --\>$ ]]; then
    args=${BASH_REMATCH[1]}
    skipping=1
  elif [ $skipping = 1 ] && [[ $line == '```'* ]]; then
    printf '$ racedemo %s\n' "$args" >>"$tmp"
    # shellcheck disable=SC2086
    env -u NO_COLOR COLUMNS=150 LC_ALL=C.UTF-8 "$rd" $args --no-color >>"$tmp" 2>&1 || true
    printf '```\n' >>"$tmp"
    skipping=2
  fi
done <"$doc"
mv "$tmp" "$doc"
trap - EXIT
echo "capture-tutorial: refreshed $doc"
