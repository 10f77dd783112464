#!/bin/sh
# Prints MAJOR.MINOR.PATCH from include/kehu/version.h (meson reads the
# project version through this, so the header is the one source).
h="${1:-$(dirname "$0")/../include/kehu/version.h}"
maj=$(sed -n 's/^#define KEHU_VERSION_MAJOR \([0-9]*\)$/\1/p' "$h")
min=$(sed -n 's/^#define KEHU_VERSION_MINOR \([0-9]*\)$/\1/p' "$h")
pat=$(sed -n 's/^#define KEHU_VERSION_PATCH \([0-9]*\)$/\1/p' "$h")
printf '%s.%s.%s\n' "$maj" "$min" "$pat"
