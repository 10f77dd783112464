#!/bin/sh
# Static analysis gate: cppcheck and clang-tidy (checks in .clang-tidy)
# over every C file of the library under src/, each compiled as the
# build compiles it (BUILDDIR/compile_commands.json).  Any finding fails.
#
#   tools/static-analysis.sh [--with-cli] [BUILDDIR]   (default: build)
#
# The kehu command-line tool (src/cli/) is a program on top of the
# library, not part of it, and is left out unless --with-cli is given.
#
# A false positive is suppressed on its line with a reason:
#   /* NOLINT(check-name): why */              clang-tidy
#   /* cppcheck-suppress id ; why */           cppcheck (line above)
# CLANG_TIDY and CPPCHECK may name other binaries; JOBS (default 2) is
# the number of files analysed at once.
set -eu
cd "$(dirname "$0")/.."
skip=src/cli
if [ "${1:-}" = "--with-cli" ]; then
	skip=
	shift
fi
build=${1:-build}
jobs=${JOBS:-2}
tidy=${CLANG_TIDY:-}
if [ -z "$tidy" ]; then
	tidy=clang-tidy-14
	command -v "$tidy" >/dev/null 2>&1 || tidy=clang-tidy
fi
cppcheck=${CPPCHECK:-cppcheck}
for t in "$tidy" "$cppcheck" python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "static-analysis: $t not found" \
			"(apt-get install clang-tidy cppcheck)" >&2
		exit 2
	fi
done

if [ ! -f "$build/compile_commands.json" ]; then
	meson setup "$build" -Dbench=false -Dexamples=false >/dev/null
fi
# Generated sources must exist for the analysers to see them.
meson compile -C "$build" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# One compile command per file of src/: meson lists the library's
# sources once per target (shared, static, fuzzing copy), and both tools
# would analyse each copy.  The fuzzing copy is skipped (clang-only
# sanitizer flags).
python3 - "$build/compile_commands.json" "$PWD/src" \
	"$tmp/compile_commands.json" "$skip" >"$tmp/files" <<'EOF'
import json, os, sys
db, src, out = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
skip = os.path.realpath(sys.argv[4]) + os.sep if sys.argv[4] else None
seen = {}
for e in json.load(open(db)):
    f = os.path.realpath(os.path.join(e['directory'], e['file']))
    cmd = e.get('command') or ' '.join(e.get('arguments', []))
    if (f.startswith(src + os.sep) and f.endswith('.c')
            and not (skip and f.startswith(skip))
            and 'fsanitize=fuzzer' not in cmd and f not in seen):
        e = dict(e)
        e['file'] = f
        seen[f] = e
json.dump(list(seen.values()), open(out, 'w'), indent=1)
print('\n'.join(sorted(seen)))
EOF
nfiles=$(wc -l <"$tmp/files")
status=0

echo "== cppcheck ($("$cppcheck" --version), $nfiles files)"
if ! "$cppcheck" --project="$tmp/compile_commands.json" \
	--enable=warning,portability,performance --inline-suppr \
	--suppress=missingIncludeSystem --error-exitcode=1 -j "$jobs" \
	--quiet --template='{file}:{line}: {severity}: {message} [{id}]' \
	2>"$tmp/cppcheck.log"; then
	status=1
fi
cat "$tmp/cppcheck.log"
[ "$status" -eq 0 ] && echo "cppcheck: no findings"

tidy_version=$("$tidy" --version |
	sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n 1)
echo "== clang-tidy ($tidy_version, $nfiles files)"
# Each file's output goes to its own log; a file with findings leaves
# its log behind with the suffix .fail.
export tidy tmp
xargs -P "$jobs" -I{} sh -c '
	log="$tmp/tidy.$(echo "{}" | tr / _)"
	if "$tidy" -p "$tmp" --quiet "{}" >"$log" 2>&1; then
		rm -f "$log"
	else
		mv "$log" "$log.fail"
	fi' <"$tmp/files"
nfail=0
for f in "$tmp"/tidy.*.fail; do
	[ -e "$f" ] || continue
	nfail=$((nfail + 1))
	grep -v -E '^[0-9]+ (warnings?|errors?) (generated|treated)' "$f"
done
if [ "$nfail" -gt 0 ]; then
	echo "clang-tidy: findings in $nfail file(s)"
	status=1
else
	echo "clang-tidy: no findings"
fi

if [ "$status" -ne 0 ]; then
	echo "static-analysis: FAILED" >&2
fi
exit "$status"
