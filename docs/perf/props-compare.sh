#!/usr/bin/env bash
# props-compare.sh BASE [ROUNDS] [BENCHTIME] — BenchmarkPropertyActions of
# commit BASE and of the working tree, side by side: both test binaries
# are built once, then run alternately (base, new, base, new, ...) with a
# fixed workload (-test.benchtime, default 150x: an op is one Explore of
# seed i for i < b.N, so a fixed b.N is the same work on both sides), and
# benchstat reports the medians and the change of actions/cpu-s.
#
#   bash docs/perf/props-compare.sh f7ed2a1 8
#
# Raw output goes to docs/perf/raw/props-BASE-{base,new,load}.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
base=$1 rounds=${2:-8} bt=${3:-150x}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive "$base" | tar -x -C "$work" --one-top-level=base
(cd "$work/base" && go test -c -o "$work/base.test" ./properties)
go test -c -o "$work/new.test" ./properties
out=docs/perf/raw/props-$base
mkdir -p docs/perf/raw
: >"$out-base.txt"
: >"$out-new.txt"
: >"$out-load.txt"
for ((i = 1; i <= rounds; i++)); do
	for side in base new; do
		dir=$([ $side = base ] && echo "$work/base/properties" || echo properties)
		(cd "$dir" && "$work/$side.test" -test.run '^$' -test.bench '^BenchmarkPropertyActions$' -test.benchmem -test.count 1 -test.benchtime "$bt") |
			grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$out-$side.txt"
	done
	echo "round $i/$rounds done ($(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/'))" | tee -a "$out-load.txt" >&2
done
"${BENCHSTAT:-benchstat}" "$out-base.txt" "$out-new.txt"
