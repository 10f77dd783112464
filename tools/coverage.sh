#!/bin/sh
# Coverage of the library: builds with -Db_coverage=true (gcc, -O0), runs
# the unit suites, and prints line and branch coverage of src/ with
# gcovr, per directory and in total.  The CLI (src/cli/) is a program,
# not the library: its figures are printed apart and left out of the
# total.  Targets: >= 90% of lines and >= 80% of branches.
#
#   tools/coverage.sh [--check] [BUILDDIR]     (default: build-coverage)
#
# --check fails when the total is under a target (MIN_LINES, MIN_BRANCHES
# override 90 and 80).  Lines that no test can reach are marked in the
# source with GCOVR_EXCL_LINE (or GCOVR_EXCL_START ... GCOVR_EXCL_STOP)
# and a comment saying why.  BUILDDIR/coverage.html has the line by line
# report.
set -eu
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
build=${1:-build-coverage}
min_lines=${MIN_LINES:-90}
min_branches=${MIN_BRANCHES:-80}
command -v gcovr >/dev/null 2>&1 || {
	echo "coverage: gcovr not found (apt-get install gcovr)" >&2
	exit 2
}

# -fprofile-update=atomic: the threads test updates counters from
# several threads; plain updates race and leave corrupt (negative)
# counts that gcovr cannot read.
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Db_coverage=true -Dbuildtype=debug \
		-Dc_args=-fprofile-update=atomic -Dbench=false \
		-Dexamples=false >/dev/null
fi
meson compile -C "$build" >/dev/null
# Counters add up across runs: start from zero.
find "$build" -name '*.gcda' -exec rm -f {} +
# The packaging suite links programs outside meson (without --coverage)
# and tests the install, not the code: left out.
status=0
meson test -C "$build" --no-suite packaging --num-processes 2 \
	>"$build/coverage-tests.log" 2>&1 || status=$?
tail -n 8 "$build/coverage-tests.log" | grep -E '^(Ok|Fail|Timeout):' || true
if [ "$status" -ne 0 ]; then
	grep -E ' (FAIL|TIMEOUT) ' "$build/coverage-tests.log" || true
	echo "coverage: tests failed; figures below are incomplete" >&2
fi

# --exclude-unreachable-branches: branches gcc adds on lines without
# code (e.g. a closing brace) are not the program's branches.
gcovr -r . "$build" --exclude-unreachable-branches --filter 'src/' \
	--json-summary-pretty --json-summary "$build/coverage.json" \
	--html-details "$build/coverage.html"

python3 - "$build/coverage.json" "$min_lines" "$min_branches" "$check" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
min_l, min_b, check = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == '1'
dirs = {}
for f in data['files']:
    parts = f['filename'].split('/')
    d = '/'.join(parts[:2]) if len(parts) > 2 else parts[0]
    a = dirs.setdefault(d, [0, 0, 0, 0])
    a[0] += f['line_covered']; a[1] += f['line_total']
    a[2] += f['branch_covered']; a[3] += f['branch_total']
def pct(c, t):
    return 100.0 * c / t if t else 100.0
def row(name, a):
    print('%-16s %6.1f%% (%5d/%5d)   %6.1f%% (%5d/%5d)' % (
        name, pct(a[0], a[1]), a[0], a[1], pct(a[2], a[3]), a[2], a[3]))
print('%-16s %-22s   %s' % ('coverage', 'lines', 'branches'))
total = [0, 0, 0, 0]
for d in sorted(dirs):
    if d == 'src/cli':
        continue
    row(d, dirs[d])
    total = [x + y for x, y in zip(total, dirs[d])]
row('src (library)', total)
if 'src/cli' in dirs:
    row('src/cli (apart)', dirs['src/cli'])
lp, bp = pct(total[0], total[1]), pct(total[2], total[3])
ok = lp >= min_l and bp >= min_b
print('coverage: lines %.1f%% (target %g%%), branches %.1f%% (target %g%%): %s'
      % (lp, min_l, bp, min_b, 'targets met' if ok else 'BELOW TARGET'))
sys.exit(1 if check and not ok else 0)
EOF
