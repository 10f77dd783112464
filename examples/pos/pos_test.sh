#!/bin/sh
# examples/pos: runs the till (its own checks: every arena byte back
# after close) and prints the footprint: the program's text size
# (libkehu linked statically, the example at -Os) and the arena's peak.
#   pos_test.sh KEHU_POS
set -u
out=$("$1" 2>&1)
rc=$?
echo "$out"
if command -v size >/dev/null 2>&1; then
	size "$1" | awk 'NR == 2 {print "text size: " $1 " bytes (" \
		"static libkehu + example)"}'
fi
[ "$rc" -eq 0 ] || { echo "FAIL - kehu-pos exited $rc"; exit 1; }
for want in "rebooted: 3 customers" "checkout 4711" "vip" "regular" \
	"win_back" "welcome" "arena: peak"; do
	case "$out" in
	*"$want"*) ;;
	*) echo "FAIL - kehu-pos did not print '$want'"; exit 1 ;;
	esac
done
echo "ok - kehu-pos"
