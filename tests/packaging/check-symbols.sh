#!/bin/sh
# Packaging gate: what libkehu exports, and that it keeps no writable
# state (STYLE 10.7, 10.9).
#
# usage: check-symbols.sh SHARED_LIB STATIC_LIB MAP_FILE INCLUDE_DIR ABI_MAJOR
#
#   a. the shared library exports only kehu_* symbols (version nodes
#      such as KEHU_0.1 aside);
#   b. exported set == global names of the map == KEHU_API functions
#      declared in INCLUDE_DIR/**/*.h;
#   c. no object of the static library has writable data (nm types
#      b B d D, and their common/small-data cousins C G g S s);
#   d. the SONAME is libkehu.so.ABI_MAJOR.
#
# NM and READELF may be overridden from the environment.
set -u
LC_ALL=C
export LC_ALL

if [ $# -lt 5 ] || [ $# -gt 6 ]; then
	echo "usage: $0 SHARED_LIB STATIC_LIB MAP_FILE INCLUDE_DIR ABI_MAJOR [SKIP_HEADERS]" >&2
	exit 2
fi
so=$1 ar=$2 map=$3 incdir=$4 abi_major=$5
# optional: headers of parts left out of this build (e.g. file_store.h)
skip_headers=${6:-}
NM=${NM:-nm}
READELF=${READELF:-readelf}

for f in "$so" "$ar" "$map"; do
	[ -f "$f" ] || { echo "error: no such file: $f" >&2; exit 2; }
done
[ -d "$incdir" ] || { echo "error: no such directory: $incdir" >&2; exit 2; }
command -v "$NM" >/dev/null 2>&1 || { echo "error: $NM not found" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kehu-symbols.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }

# Prints its input without C comments, as one stream (awk so that it
# stays POSIX: no perl, no GNU sed).
strip_comments() {
	awk '
	{ text = text $0 "\n" }
	END {
		out = ""
		while ((i = index(text, "/*")) > 0) {
			out = out substr(text, 1, i - 1) " "
			text = substr(text, i + 2)
			j = index(text, "*/")
			if (j == 0) { text = ""; break }
			# keep the newlines of the comment so that lines stay
			# lines (preprocessor lines are recognised per line)
			c = substr(text, 1, j - 1)
			gsub(/[^\n]/, "", c)
			out = out c
			text = substr(text, j + 2)
		}
		printf "%s", out text
	}' "$@"
}

# ---- the three sets --------------------------------------------------

# Version nodes of the map ("KEHU_0.1 {"): the linker exports them as
# absolute (A) symbols.
strip_comments "$map" | tr -s ' \t\n' '   ' |
	grep -o '[A-Za-z_][A-Za-z0-9_.]*[ ]*{' | sed 's/[ ]*{$//' |
	sort -u >"$tmp/nodes"

# Global names of the map: every name inside a node that is not under
# "local:" (a node without "global:" is all global).  One token a line:
# "NODE {", "global:", "local:", "name;", "} PARENT;".
strip_comments "$map" | tr '\n\t' '  ' | awk '
	{
		gsub(/[{};]/, "&\n")
		gsub(/(global|local)[ ]*:/, "\n&\n")
		printf "%s", $0
	}' | awk '
	{ gsub(/^[ ]+|[ ]+$/, "") }
	/[{]$/ { scope = "g"; next }
	/^global[ ]*:$/ { scope = "g"; next }
	/^local[ ]*:$/ { scope = "l"; next }
	/[}]$/ { scope = ""; next }
	/;$/ { sub(/[ ]*;$/, ""); if ($0 != "" && scope == "g") print }
	' >"$tmp/map.raw"
sort -u "$tmp/map.raw" >"$tmp/map"

# KEHU_API functions: drop comments and preprocessor lines (with their
# continuations), drop KEHU_DEPRECATED(...) and __attribute__((...)),
# then for each KEHU_API take the identifier right before the next "(".
# A KEHU_API not followed by "(" before ";" is not a function: reported.
find "$incdir" -name '*.h' | LC_ALL=C sort >"$tmp/headers.all"
cp "$tmp/headers.all" "$tmp/headers"
for h in $skip_headers; do
	grep -v "/$h\$" "$tmp/headers" >"$tmp/headers.kept" || true
	mv "$tmp/headers.kept" "$tmp/headers"
done
: >"$tmp/api.raw"
: >"$tmp/api.bad"
while IFS= read -r h; do
	strip_comments "$h" | awk '
		cont { cont = /\\$/; next }
		/^[ \t]*#/ { cont = /\\$/; next }
		{ print }' | tr '\n\t' '  ' | awk -v file="$h" '
	{
		t = $0
		gsub(/KEHU_DEPRECATED[ ]*\([^)]*\)/, " ", t)
		gsub(/__attribute__[ ]*\(\(([^()]|\([^()]*\))*\)\)/, " ", t)
		while (match(t, /(^|[^A-Za-z0-9_])KEHU_API([^A-Za-z0-9_]|$)/)) {
			t = substr(t, RSTART + RLENGTH - 1)
			p = index(t, "(")
			q = index(t, ";")
			if (p == 0 || (q > 0 && q < p)) {
				print file ": KEHU_API on a non-function: " \
					substr(t, 1, (q > 0 ? q : 60)) > "/dev/stderr"
				continue
			}
			d = substr(t, 1, p - 1)
			sub(/[ ]+$/, "", d)
			if (match(d, /[A-Za-z_][A-Za-z0-9_]*$/))
				print substr(d, RSTART)
			t = substr(t, p)
		}
	}' >>"$tmp/api.raw" 2>>"$tmp/api.bad"
done <"$tmp/headers"
sort "$tmp/api.raw" | uniq -d >"$tmp/api.dup"
sort -u "$tmp/api.raw" >"$tmp/api"

# Exported dynamic symbols: "name@@NODE" -> "name"; skip the absolute
# version-node symbols.
"$NM" -D --defined-only "$so" >"$tmp/nm.so" || { fail "nm -D $so"; }
awk 'NF >= 2 { n = $NF; t = $(NF-1); sub(/@.*/, "", n); print t, n }' \
	"$tmp/nm.so" | while read -r t n; do
	if [ "$t" = A ] && grep -qxF "$n" "$tmp/nodes"; then continue; fi
	echo "$n"
done | sort -u >"$tmp/exported"

count() { wc -l <"$1" | tr -d ' '; }
echo "exported: $(count "$tmp/exported"), map: $(count "$tmp/map")," \
	"KEHU_API: $(count "$tmp/api") ($(count "$tmp/headers") headers)"

# ---- a. only kehu_* leaves the shared object -------------------------
grep -v '^kehu_' "$tmp/exported" >"$tmp/leaks"
if [ -s "$tmp/leaks" ] || [ ! -s "$tmp/exported" ]; then
	fail "a. exports outside the kehu_ namespace (or none at all):"
	sed 's/^/       /' "$tmp/leaks"
else
	ok "a. every exported symbol starts with kehu_"
fi

# ---- b. exported == map == KEHU_API ----------------------------------
# Prints the lines only in $1 and only in $2, labelled; true if equal.
same_set() {
	comm -23 "$1" "$2" >"$tmp/only1"
	comm -13 "$1" "$2" >"$tmp/only2"
	[ -s "$tmp/only1" ] && sed "s/^/       only in $3: /" "$tmp/only1"
	[ -s "$tmp/only2" ] && sed "s/^/       only in $4: /" "$tmp/only2"
	[ ! -s "$tmp/only1" ] && [ ! -s "$tmp/only2" ]
}
if same_set "$tmp/exported" "$tmp/map" "$(basename "$so")" \
	"$(basename "$map")" >"$tmp/diff1"; then
	ok "b. exported set == $(basename "$map") global names"
else
	fail "b. exported set != $(basename "$map") global names:"
	cat "$tmp/diff1"
fi
if same_set "$tmp/map" "$tmp/api" "$(basename "$map")" \
	"KEHU_API headers" >"$tmp/diff2" && [ ! -s "$tmp/api.bad" ] &&
	[ ! -s "$tmp/api.dup" ]; then
	ok "b. $(basename "$map") global names == KEHU_API declarations"
else
	fail "b. $(basename "$map") global names != KEHU_API declarations:"
	cat "$tmp/diff2"
	sed 's/^/       /' "$tmp/api.bad"
	sed 's/^/       declared twice with KEHU_API: /' "$tmp/api.dup"
fi

# ---- c. no writable data in any object -------------------------------
# b/B .bss, d/D .data (also .tbss/.tdata), C common, g/G s/S small data.
# Instrumentation (gcov counters, sanitizers) is not ours: skipped.
if "$NM" -A "$ar" >"$tmp/nm.a" 2>"$tmp/nm.err"; then
	awk 'NF >= 3 && $(NF-1) ~ /^[bBdDCgGsS]$/ &&
	     $NF !~ /^(__gcov|__llvm_|__asan|__ubsan|__tsan|__sancov)/' \
		"$tmp/nm.a" >"$tmp/writable"
	if [ -s "$tmp/writable" ]; then
		fail "c. writable global/static data in $(basename "$ar"):"
		sed 's/^/       /' "$tmp/writable"
	else
		nobj=$(cut -d: -f2 "$tmp/nm.a" | sort -u | wc -l | tr -d ' ')
		ok "c. no writable data in $(basename "$ar") ($nobj objects)"
	fi
else
	cat "$tmp/nm.err"
	fail "c. nm $ar"
fi

# ---- d. SONAME --------------------------------------------------------
want="libkehu.so.$abi_major"
if command -v "$READELF" >/dev/null 2>&1; then
	soname=$("$READELF" -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
else
	soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
fi
if [ "$soname" = "$want" ]; then
	ok "d. SONAME is $want"
else
	fail "d. SONAME is '${soname}', want $want"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
