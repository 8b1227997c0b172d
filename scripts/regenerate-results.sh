#!/usr/bin/env bash
# Rebuilds everything under Results/ with a release build of bench. Results/ holds only what
# bench wrote: run this whenever the code changes what bench measures, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product bench
bench=$(swift build -c release --show-bin-path)/bench
rm -rf Results/default
"$bench" suite --output Results/default
echo "Results regenerated:" >&2
find Results -type f | sort >&2
