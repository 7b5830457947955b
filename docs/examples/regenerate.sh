#!/usr/bin/env bash
# Regenerates the example traces in docs/examples from the repository root:
#
#   docs/examples/regenerate.sh
#
# blocking.html          the trace of scenarios/testdata/blocking.scs (passes)
# blocking-failing.html  the same script with the no-unavailable-on-block
#                        mutant, which makes it fail (the missing presence is
#                        drawn as a dashed red arrow)
# five-clients.html      a long (230 events), wide (five clients) trace that
#                        fails near its end: the page opens scrolled to it
# *.png                  screenshots in headless Chromium (skipped when
#                        chromium is not installed)
set -euo pipefail
cd "$(dirname "$0")/../.."
ex=docs/examples

go run ./cmd/scansim trace scenarios/testdata/blocking.scs -o $ex/blocking.html
go run ./cmd/scansim trace scenarios/testdata/blocking.scs --format mermaid -o $ex/blocking.mmd
# Exit status 1: the script fails under the mutant, as intended.
go run ./cmd/scansim trace --mutant no-unavailable-on-block scenarios/testdata/blocking.scs \
	-o $ex/blocking-failing.html || [ $? = 1 ]
# A shrunk property failure: property-failure.scs was written by
#   scansim check --mutant no-unavailable-on-block --out DIR
# (rapid's shrinking has a time budget, so the script is committed rather
# than re-shrunk here); its trace fails under the mutant, as intended.
go run ./cmd/scansim trace --mutant no-unavailable-on-block $ex/property-failure.scs \
	-o $ex/property-failure.html || [ $? = 1 ]

go run ./cmd/scansim trace cmd/scansim/testdata/five_clients.scs -o $ex/five-clients.html || [ $? = 1 ]

browser=${SCANSIM_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
	echo "no chromium: screenshots not regenerated"
	exit 0
fi
for name in blocking blocking-failing property-failure five-clients; do
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir="$(mktemp -d)" \
		--screenshot="$ex/$name.png" --window-size=1400,1450 "file://$PWD/$ex/$name.html" 2>/dev/null
done
