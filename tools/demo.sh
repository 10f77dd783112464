#!/bin/sh
# Builds the library and the `kehu` tool, then runs `kehu demo`: the
# bundled demo data (examples/data: customers, and purchases derived
# from CDNOW) imported into a temporary file store, value models fitted,
# everyone classified with the default rule pack, the report printed.
#   tools/demo.sh [kehu demo options, e.g. --html report.html]
set -eu
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build
meson compile -C build
exec build/src/cli/kehu demo --data examples/data "$@"
