#!/usr/bin/env bash
# Browser test of the HTML report: opens OUTPUT_DIR/report.html in headless Chromium (Debian's
# `chromium` package, installed if missing) and checks that it loads with no error and no request for
# anything outside the file, that every chart of OUTPUT_DIR/charts/ is drawn inline with a real size,
# that the tables and the assumptions are there and nothing is wider than a 1280 px window. Saves a
# full-page screenshot and a PDF (the print layout) under ARTEFACT_DIR (default output/ci-artefacts).
#
# usage: .ci/browser.sh OUTPUT_DIR [ARTEFACT_DIR]
set -euo pipefail

dir=${1:?usage: .ci/browser.sh OUTPUT_DIR [ARTEFACT_DIR]}
artefacts=${2:-output/ci-artefacts}
here=$(cd "$(dirname "$0")" && pwd)
report="$dir/report.html"
started=$(date +%s)

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing Debian's chromium"
    as_root apt-get update -qq
    # DejaVu: a font for the page text and the one the charts name.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium fonts-dejavu-core >/dev/null
fi
browser=$(command -v chromium)
"$browser" --version 2>/dev/null

test -s "$report" || { echo "no report at $report"; exit 1; }
charts=$(find "$dir/charts" -maxdepth 1 -name '*.svg' | wc -l)
[ "$charts" -gt 0 ] || { echo "no charts under $dir/charts"; exit 1; }
mkdir -p "$artefacts"
shot="$artefacts/report.png"
rm -f "$shot" "$artefacts/report.pdf"

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; then
    # playwright-core drives the system's chromium; it downloads no browser of its own.
    (cd "$here/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
    node "$here/browser/check.mjs" "$report" "$charts" "$shot" "$browser"
else
    # Without node: the DOM as Chromium parsed it, and a screenshot.
    echo "node 18+ and npm not found: checking the DOM dump and the screenshot only"
    flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars)
    url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
    dom=$("$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
    found=$(grep -o '<svg' <<<"$dom" | wc -l)
    [ "$found" -eq "$charts" ] || { echo "expected $charts charts in the DOM, found $found"; exit 1; }
    grep -q '<h2>Assumptions</h2>' <<<"$dom" || { echo "no assumptions in the DOM"; exit 1; }
    grep -q '<h2>In short</h2>' <<<"$dom" || { echo "no headline (In short) in the DOM"; exit 1; }
    "$browser" "${flags[@]}" --window-size=1280,6000 --screenshot="$shot" "$url" 2>/dev/null
fi

# The screenshot is a real PNG of a real page: its signature, and more than a blank page's bytes.
[ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "$shot is not a PNG"; exit 1; }
size=$(wc -c <"$shot")
[ "$size" -gt 100000 ] || { echo "$shot is only $size bytes"; exit 1; }
echo "browser test passed: $charts charts; $shot ($size bytes) in $(($(date +%s) - started))s"
