#!/bin/sh
# tests/cli: the page `kehu report --html` writes renders in a headless
# Chromium (Debian's chromium) to a non-empty screenshot.  Skipped (exit
# 77) with a message when no Chromium is installed.
#   html_render.sh KEHU SOURCE_ROOT
set -u
# meson passes the program relative to the build dir; scenarios cd.
kehu=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "no chromium installed (apt-get install chromium): skipped"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$kehu" demo --data "$src/examples/data" --html "$tmp/report.html" \
	>/dev/null || { echo "FAIL - kehu demo --html"; exit 1; }
# --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=1024,1600 --screenshot="$tmp/shot.png" \
	"file://$tmp/report.html" >"$tmp/log" 2>&1
size=$(wc -c <"$tmp/shot.png" 2>/dev/null || echo 0)
if [ "$size" -gt 5000 ]; then
	echo "ok - $browser rendered the report: $size-byte screenshot"
	exit 0
fi
cat "$tmp/log"
echo "FAIL - $browser left no screenshot of the report ($size bytes)"
exit 1
