#!/bin/sh
# Builds (if needed) and runs the whole test suite in one build dir, then
# prints the cmocka totals as the closing line.
#   tools/test.sh [BUILDDIR [meson setup options...]]
# e.g. tools/test.sh build-asan -Db_sanitize=address,undefined
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Dwerror=true "$@"
fi
meson compile -C "$build"
status=0
meson test -C "$build" --print-errorlogs || status=$?
tools/summary.sh "$build"
exit "$status"
