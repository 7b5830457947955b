#!/usr/bin/env bash
# compare.sh BASE [ROUNDS] — the issue-11 benchmarks of commit BASE and of the
# working tree, side by side: test binaries of both are built once, then run
# alternately (base, new, base, new, ...) so that both see the same machine
# load, and benchstat reports the medians and the change.
#
#   bash docs/perf/compare.sh f7ed2a1 10
#   APPEND=1 bash docs/perf/compare.sh f7ed2a1 8   # pool with the last run's samples
#
# Raw output goes to docs/perf/raw/compare-BASE-{base,new}.txt, the load
# after each round to compare-BASE-load.txt; APPEND=1 adds to them
# instead of starting afresh. PREFIX=NAME- writes NAME-compare-BASE-*
# instead, so that a branch's run does not replace the files the
# committed figures of docs/performance.md come from. benchstat comes from
# `go install golang.org/x/perf/cmd/benchstat@latest` (a tool, not a
# dependency of scansim).
set -euo pipefail
cd "$(dirname "$0")/../.."
base=$1 rounds=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive "$base" | tar -x -C "$work" --one-top-level=base
mkdir -p "$work/bin/base" "$work/bin/new"
for side in base new; do
	src=$([ $side = base ] && echo "$work/base" || pwd)
	for pkg in scenarios model properties; do
		(cd "$src" && go test -c -o "$work/bin/$side/$pkg.test" "./$pkg")
	done
done
benches=(
	"scenarios ^(BenchmarkReplayBlocking|BenchmarkReplayBlockingParsed)$"
	"model ^BenchmarkRoutingFanout$"
	"properties ^BenchmarkPropertyActions$"
)
out=docs/perf/raw/${PREFIX:-}compare-$base
mkdir -p docs/perf/raw
if [ "${APPEND:-}" != 1 ]; then
	: >"$out-base.txt"
	: >"$out-new.txt"
	: >"$out-load.txt"
fi
for ((i = 1; i <= rounds; i++)); do
	for side in base new; do
		for b in "${benches[@]}"; do
			set -- $b
			# Each binary runs from its package's directory, as go test does.
			dir=$([ $side = base ] && echo "$work/base/$1" || echo "$1")
			(cd "$dir" && "$work/bin/$side/$1.test" -test.run '^$' -test.bench "$2" -test.benchmem -test.count 1) |
				grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$out-$side.txt"
		done
	done
	echo "round $i/$rounds done ($(uptime | sed 's/.*load/load/'))" | tee -a "$out-load.txt" >&2
done
"${BENCHSTAT:-benchstat}" "$out-base.txt" "$out-new.txt"
