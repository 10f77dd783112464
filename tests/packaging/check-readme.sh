#!/bin/sh
# The README's C snippet compiles (C11, -Werror) against the built
# library and prints what it promises.
#   check-readme.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1
build=$2
cc=${CC:-cc}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
awk '/^```c$/ {on = 1; next} /^```$/ {if (on) exit} on' "$src/README.md" \
	>"$tmp/readme.c"
if [ -s "$tmp/readme.c" ]; then
	echo "ok - README has a C snippet"; pass=$((pass + 1))
else
	echo "FAIL - README has no \`\`\`c block"; fail=$((fail + 1))
fi
# shellcheck disable=SC2086
if $cc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$src/include" \
	"$tmp/readme.c" -L"$build" -lkehu -o "$tmp/readme" 2>"$tmp/cc.log"; then
	echo "ok - the snippet compiles"; pass=$((pass + 1))
else
	cat "$tmp/cc.log"
	echo "FAIL - the snippet does not compile"; fail=$((fail + 1))
fi
out=$(LD_LIBRARY_PATH="$build" "$tmp/readme" 2>&1)
case "$out" in
"Zhang San: 1 purchase(s), revenue 19900, 30-day revenue 19900")
	echo "ok - the snippet runs: $out"; pass=$((pass + 1)) ;;
*)
	echo "FAIL - the snippet printed: $out"; fail=$((fail + 1)) ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
