#!/bin/sh
# Builds the library and runs the main job on the bundled demo data
# (CDNOW purchases, examples/data), with the embedded default store.
set -eu
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build
meson compile -C build
exec build/examples/kehu-quickstart examples/data/cdnow_demo.txt "$@"
