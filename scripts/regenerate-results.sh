#!/usr/bin/env bash
# Rebuilds everything under Results/ with a release build of bench. Results/ holds only what
# bench wrote: run this whenever the code changes what bench measures, and commit the result.
# SCRATCH_PATH=.build-release picks another build folder (one is made if it does not exist).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release --product bench "${scratch[@]}"
bench="$(swift build -c release --show-bin-path "${scratch[@]}")/bench"
rm -rf Results/default Results/payloads
"$bench" suite --output Results/default
"$bench" payloads --output Results/payloads
echo "Results regenerated:" >&2
find Results -type f | sort >&2
