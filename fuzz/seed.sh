#!/usr/bin/env bash
# Builds the seed corpora of the fuzzers from the captures in samples/ and,
# when it is there, the tcpdump corpus in ../shared/corpus/tcpdump (read
# only; nothing is copied into the source tree):
#   OUT/pipeline/  capture files of at most 64 KiB, whole (fuzz_pipeline)
#   OUT/decode/    the first frames of each capture, one file per frame,
#                  in fuzz_decode's input format (fuzz/fuzz_input.h)
#
# Usage: fuzz/seed.sh BUILD_DIR [OUT]
#   BUILD_DIR  a -Dfuzz=true build (for its extract_frames tool)
#   OUT        default BUILD_DIR/fuzz-seeds; emptied first
#   SEED_FRAMES  frames taken per capture for fuzz_decode (default 32)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz/seed.sh BUILD_DIR [OUT]}
out=${2:-$build/fuzz-seeds}
per_file=${SEED_FRAMES:-32}
max_bytes=65536
extract=$build/fuzz/extract_frames

if [ ! -x "$extract" ]; then
	echo "seed: $extract is missing: build with -Dfuzz=true first" >&2
	exit 1
fi

rm -rf "$out/pipeline" "$out/decode"
mkdir -p "$out/pipeline" "$out/decode"

dirs=("$top/samples")
corpus=$top/../shared/corpus/tcpdump
if [ -d "$corpus" ]; then
	dirs+=("$corpus")
else
	echo "seed: $corpus is absent: seeding from samples/ only"
fi

captures=()
for dir in "${dirs[@]}"; do
	for f in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap; do
		[ -f "$f" ] && captures+=("$f")
	done
done

# Whole files, for the pipeline. Larger ones would slow every mutation
# down (libFuzzer's -max_len follows the largest seed) for little gain.
copied=0 big=0
for f in "${captures[@]}"; do
	if [ "$(stat -c %s "$f")" -gt "$max_bytes" ]; then
		big=$((big + 1))
		continue
	fi
	# Prefixed with the folder's name: samples/ and the corpus may
	# share file names.
	cp "$f" "$out/pipeline/$(basename "$(dirname "$f")")-$(basename "$f")"
	copied=$((copied + 1))
done
echo "seed: $copied captures in $out/pipeline ($big over $max_bytes bytes left out)"

# Frames, for the decoder (extract_frames notes the files it skips).
printf '%s\0' "${captures[@]}" |
	xargs -0 "$extract" "$out/decode" "$per_file" 2>/dev/null |
	awk '{ frames += $2; files += $5 }
	     END { printf "seed: %d frames from %d captures\n", frames, files }'
echo "seed: $(find "$out/decode" -type f | wc -l) distinct frames in $out/decode"
