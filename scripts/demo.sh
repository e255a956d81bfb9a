#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, and run
# synscope on a bundled sample capture.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
sample=samples/tcp4-normal.pcap
echo
echo "\$ synscope -r $sample --packets"
build/cli/synscope -r "$sample" --packets
echo
echo "\$ synscope -r $sample --packets=json | head -n 1"
build/cli/synscope -r "$sample" --packets=json | head -n 1
echo
echo "\$ synscope -r $sample"
build/cli/synscope -r "$sample"
