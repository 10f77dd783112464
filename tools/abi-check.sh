#!/bin/sh
# ABI gate (doc/abi.md): compares the ABI of the built libkehu.so with
# the committed baseline tests/abi/libkehu.abi and fails on any change
# that could break a host built against the baseline.  Additions (new
# functions, new variables, members appended to a versioned struct:
# tests/abi/versioned-structs.suppr) pass.
#
#   tools/abi-check.sh [--update] [BUILDDIR]
#
# BUILDDIR defaults to build-abi and is set up here when missing; any
# build of this tree with debug info will do (meson's default buildtype,
# debugoptimized, has it).  --update rewrites the baseline from BUILDDIR
# instead of comparing: run it when a release adds symbols, and commit
# the result with the release.
#
# abidiff's exit code is a bit set: 1 error, 2 usage error, 4 some ABI
# change, 8 an incompatible change (a removed symbol).  Bit 4 alone also
# covers changed signatures and changed public struct layouts, which
# abidiff cannot judge, so with bit 4 the change summary decides: only
# "Added" counts may be non-zero.
set -eu
cd "$(dirname "$0")/.."

update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
build=${1:-build-abi}
baseline=tests/abi/libkehu.abi
suppr=tests/abi/private-types.suppr
grow=tests/abi/versioned-structs.suppr

for tool in abidw abidiff readelf; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "abi-check: $tool not found" \
			"(apt-get install abigail-tools)" >&2
		exit 2
	fi
done

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Dtests=false -Dexamples=false -Dbench=false \
		>/dev/null
fi
meson compile -C "$build" kehu:shared_library >/dev/null
so="$build/libkehu.so"
if ! readelf -S "$so" | grep -q '\.debug_info'; then
	echo "abi-check: $so has no debug info; use a build with -g" >&2
	exit 2
fi

# The dump leaves out what differs between machines and checkouts
# (paths, source locations) and what is private (see $suppr), so the
# same sources give the same file.
dump() {
	abidw --no-corpus-path --no-comp-dir-path --no-show-locs \
		--suppressions "$suppr" --out-file "$2" "$1"
}

if [ "$update" -eq 1 ]; then
	dump "$so" "$baseline"
	echo "abi-check: baseline $baseline rewritten from $so" \
		"($(grep -c '<elf-symbol ' "$baseline") symbols)"
	exit 0
fi

if [ ! -f "$baseline" ]; then
	echo "abi-check: no baseline $baseline" \
		"(tools/abi-check.sh --update)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dump "$so" "$tmp/new.abi"

status=0
abidiff --suppressions "$grow" "$baseline" "$tmp/new.abi" \
	>"$tmp/report" 2>&1 || status=$?
if [ $((status & 3)) -ne 0 ]; then
	cat "$tmp/report"
	echo "abi-check: abidiff failed (exit $status)" >&2
	exit 2
fi
verdict=ok
if [ $((status & 8)) -ne 0 ]; then
	verdict=incompatible
elif [ $((status & 4)) -ne 0 ]; then
	# Lines such as "Functions changes summary: 0 Removed, 1 Changed,
	# 2 Added functions": any non-zero count other than "Added" fails,
	# and so does a change of SONAME or architecture.
	if grep -Eq '[1-9][0-9]* (Removed|Changed)' "$tmp/report" ||
		grep -Eq 'SONAME changed|architecture changed' "$tmp/report"
	then
		verdict=incompatible
	else
		verdict=additions
	fi
fi
case $verdict in
ok)
	echo "abi-check: no ABI change against $baseline"
	;;
additions)
	sed -n '/summary:/p' "$tmp/report"
	grep -E "^  \[A\] " "$tmp/report" || true
	echo "abi-check: only additions against $baseline (exit $status): ok;" \
		"tools/abi-check.sh --update records them"
	;;
*)
	cat "$tmp/report"
	echo "abi-check: INCOMPATIBLE ABI change against $baseline" \
		"(abidiff exit $status)" >&2
	exit 1
	;;
esac
