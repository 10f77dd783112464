#!/bin/sh
# Prints libkehu's footprint: the sections of the firmware build
# (libkehu.a at -Os without the file store) and of the full shared
# library, the hot bytes per customer, and the peak RSS of a process that
# loaded 1,000,000 customers with purchases (tests/bench/bench_footprint).
#   tools/footprint.sh [customers]
# Builds in its own directories under ${TMPDIR:-/tmp}; reuses them when
# they exist (remove them to start over).
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000000}
base=${TMPDIR:-/tmp}/kehu-footprint-$(id -u)
fw=$base/firmware
full=$base/full

if [ ! -f "$fw/build.ninja" ]; then
	meson setup "$fw" -Dbuildtype=minsize -Ddefault_library=static \
		-Db_staticpic=false -Dfile_store=false -Dtests=false \
		-Dbench=false -Dexamples=false >/dev/null
fi
meson compile -C "$fw" -j 2 kehu:static_library >/dev/null
if [ ! -f "$full/build.ninja" ]; then
	meson setup "$full" -Dexamples=false >/dev/null
fi
meson compile -C "$full" -j 2 kehu:shared_library \
	tests/bench/bench_footprint >/dev/null

# size -A lists every member of an archive: add up the sections by kind
# (.text; .rodata*; the unwind tables; .data* with .data.rel.ro, .got
# and the like; .bss).
sections() {
	size -A "$1" | awk -v what="$2" '
		$1 == ".text" || $1 ~ /^\.text\./ { text += $2 }
		$1 ~ /^\.rodata/ { ro += $2 }
		$1 ~ /^\.eh_frame/ { eh += $2 }
		$1 ~ /^\.data/ || $1 ~ /^\.init_array/ ||
		$1 ~ /^\.fini_array/ || $1 ~ /^\.got/ ||
		$1 == ".dynamic" { data += $2 }
		$1 ~ /^\.bss/ || $1 == "COMMON" { bss += $2 }
		END {
			printf "%s\n  .text %d B (%.1f KiB)  .rodata %d B  " \
			       ".eh_frame %d B  .data %d B  .bss %d B\n",
			       what, text, text / 1024, ro, eh, data, bss
		}'
}

echo "== sections (size -A, summed over the objects)"
sections "$fw/libkehu.a" "firmware libkehu.a (-Os, file_store=false)"
sections "$full/libkehu.so" "full libkehu.so (default -O2, file store)"
echo "== size -t (Berkeley: text counts code and read-only data)"
size -t "$fw/libkehu.a" | tail -n 1 | sed 's/^/firmware libkehu.a: /'
size -t "$full/libkehu.so" | tail -n 1 | sed 's/^/full libkehu.so:    /'
echo "== memory ($n customers)"
"$full/tests/bench/bench_footprint" "$n"
echo "targets: firmware .text <= 96 KiB; hot state <= 128 bytes per customer"
