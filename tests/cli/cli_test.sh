#!/bin/sh
# tests/cli: one scenario of the `kehu` tool, run on the fixtures in
# data/ and compared, byte for byte, with golden/SCENARIO.out: every
# command line, its stdout, its stderr (lines marked "2>") and its exit
# code.  KEHU_UPDATE_GOLDEN=1 rewrites the golden file instead.
#   cli_test.sh KEHU SOURCE_ROOT SCENARIO
set -u
# meson passes the program relative to the build dir; scenarios cd.
kehu=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
name=$3
data=$src/tests/cli/data
golden=$src/tests/cli/golden/$name.out
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
unset KEHU_DB KEHU_DEMO_DATA
cd "$data" || exit 1

# Runs kehu with the arguments; the transcript names the temporary
# directory TMP so that it is the same on every run.
run() {
	echo "\$ kehu $*" | sed "s|$tmp|TMP|g; s|$src|SRC|g"
	"$kehu" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sed "s|$tmp|TMP|g; s|$src|SRC|g" "$tmp/out"
	sed "s|$tmp|TMP|g; s|$src|SRC|g; s|^|2> |" "$tmp/err"
	echo "[exit $rc]"
}

# Like run, but shows only the first line of stdout (help texts).
run_head() {
	echo "\$ kehu $* | head -1"
	"$kehu" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	head -n 1 "$tmp/out"
	sed "s|^|2> |" "$tmp/err"
	echo "[exit $rc]"
}

# The last command's stdout parses as JSON (Python's json module).
json_ok() {
	if command -v python3 >/dev/null 2>&1; then
		if python3 -c 'import json, sys; json.load(sys.stdin)' \
			<"$tmp/out"; then
			echo "(stdout parses as JSON)"
		else
			echo "(stdout is NOT JSON)"
		fi
	else
		echo "python3 absent: JSON not parsed" >&2
		echo "(stdout parses as JSON)"
	fi
}

fixture() {
	"$kehu" customers import customers.csv --db "$tmp/db.kehu" \
		>/dev/null &&
	"$kehu" import interactions.csv --db "$tmp/db.kehu" >/dev/null
}

demo_db() {
	"$kehu" customers import "$src/examples/data/demo_customers.csv" \
		--db "$tmp/demo.kehu" >/dev/null &&
	"$kehu" import "$src/examples/data/demo_interactions.csv" \
		--db "$tmp/demo.kehu" >/dev/null
}

scenario_usage() {
	run
	run_head --help
	run nosuchcommand
	for c in import customers classify explain fit value query report \
	         demo; do
		run_head "$c" --help
	done
	run classify --db "$tmp/none.kehu" --bogus
	run classify --db
	run query
}

scenario_import() {
	run import interactions.csv --db "$tmp/a.kehu"
	run import cdnow.txt --db "$tmp/a.kehu"
	run import eu.csv --db "$tmp/a.kehu" --customer kunde --date datum \
		--amount betrag
	run import bad_interactions.csv --db "$tmp/a.kehu"
	run import bad_interactions.csv --db "$tmp/b.kehu" --strict
	run query --db "$tmp/b.kehu" --rules none --count 'purchases > 0'
	run import interactions.csv --db "$tmp/a.kehu" --amount price
	run import interactions.csv --db "$tmp/a.kehu" --format xml
	run import cdnow.txt --db "$tmp/a.kehu" --format ws --date x
	run import missing.csv --db "$tmp/a.kehu"
	run import interactions.csv
	printf 'not a kehu file, not at all' >"$tmp/junk.kehu"
	run import interactions.csv --db "$tmp/junk.kehu"
	run import interactions.csv --db :memory: --strict
	run classify --db "$tmp/a.kehu" --rules rules.txt
	(
		KEHU_DB=$tmp/a.kehu
		export KEHU_DB
		echo "(KEHU_DB=TMP/a.kehu)"
		run query --rules none --count 'purchases > 0'
	)
}

scenario_customers() {
	run customers import customers.csv --db "$tmp/c.kehu"
	run customers import bad_customers.csv --db "$tmp/c.kehu"
	run customers import bad_customers.csv --db "$tmp/d.kehu" --strict
	run customers list --db "$tmp/c.kehu"
	run query --db "$tmp/c.kehu" --rules none 'has_tag("vip")'
	run query --db "$tmp/c.kehu" --rules none \
		'attr("credit_limit", 0) >= 100 and kind == "organisation"'
}

scenario_classify() {
	fixture
	run classify --db "$tmp/db.kehu"
	run classify --db "$tmp/db.kehu" --as-of 2024-12-31 --format csv
	run classify --db "$tmp/db.kehu" --format json
	json_ok
	run classify --db "$tmp/db.kehu" --summary
	run classify --db "$tmp/db.kehu" --summary --format json
	json_ok
	run classify --db "$tmp/db.kehu" --rules rules.txt --summary \
		--format csv
	run classify --db "$tmp/db.kehu" --rules broken_rules.txt
	run classify --db "$tmp/db.kehu" --as-of yesterday
	run classify --db "$tmp/db.kehu" --format yaml
	run classify --db "$tmp/missing.kehu"
}

scenario_explain() {
	fixture
	run explain C-003 --db "$tmp/db.kehu" --classification importance
	run explain C-002 --db "$tmp/db.kehu" --classification lifecycle \
		--as-of 2024-06-01
	run explain C-001 --db "$tmp/db.kehu" --rules rules.txt
	run explain '#7' --db "$tmp/db.kehu" --classification prospect_grade
	run explain C-999 --db "$tmp/db.kehu"
	run explain C-001 --db "$tmp/db.kehu" --classification colour
	run explain --db "$tmp/db.kehu"
}

scenario_query() {
	fixture
	run query --db "$tmp/db.kehu" 'importance == "vip"'
	run query --db "$tmp/db.kehu" --count 'lifecycle == "new"'
	run query --db "$tmp/db.kehu" --rules rules.txt 'tier == "bronze"'
	run query --db "$tmp/db.kehu" --rules none 'revenue > 1000'
	run query --db "$tmp/db.kehu" --as-of 2023-12-31 --rules none \
		'purchases > 0'
	run query --db "$tmp/db.kehu" 'importance == '
	run query --db "$tmp/db.kehu" 'colour == "red"'
}

scenario_fit() {
	demo_db
	run fit --db "$tmp/demo.kehu" --model bgnbd \
		--calibration-end 1998-06-30
	run fit --db "$tmp/demo.kehu" --model paretonbd --period days
	run fit --db "$tmp/demo.kehu" --model gammagamma
	run fit --db "$tmp/demo.kehu" --model bgnbd \
		--calibration-end 1990-01-01
	run fit --db "$tmp/demo.kehu" --model arima
	run fit --db "$tmp/demo.kehu"
}

scenario_value() {
	demo_db
	run value --db "$tmp/demo.kehu"
	"$kehu" fit --db "$tmp/demo.kehu" --model bgnbd >/dev/null
	"$kehu" fit --db "$tmp/demo.kehu" --model gammagamma >/dev/null
	run value --db "$tmp/demo.kehu" --top 5
	run value --db "$tmp/demo.kehu" --top 3 --format csv --horizon 730 \
		--discount 0 --margin 0.3
	run value --db "$tmp/demo.kehu" --top 2 --format json
	json_ok
	run value --db "$tmp/demo.kehu" --top 2 --spend none
	run value --db "$tmp/demo.kehu" --horizon 0
}

scenario_report() {
	fixture
	run report --db "$tmp/db.kehu" --html "$tmp/report.html"
	if grep -q '<svg' "$tmp/report.html" &&
	   ! grep -qi '<script' "$tmp/report.html" &&
	   ! grep -q 'src=' "$tmp/report.html" &&
	   ! grep -q '<link' "$tmp/report.html"; then
		echo "(report.html: inline SVG, no script, no external file)"
	else
		echo "(report.html is not self-contained)"
	fi
	demo_db
	"$kehu" fit --db "$tmp/demo.kehu" --model bgnbd >/dev/null
	"$kehu" fit --db "$tmp/demo.kehu" --model gammagamma >/dev/null
	run report --db "$tmp/demo.kehu" --as-of 1998-06-30
	run report --db "$tmp/db.kehu" --html "$tmp/no/such/dir/r.html"
}

scenario_demo() {
	run demo --data "$src/examples/data" --db "$tmp/kept.kehu"
	run query --db "$tmp/kept.kehu" --count 'lifecycle == "at_risk"'
	run demo --data "$tmp"
}

command -v "scenario_$name" >/dev/null 2>&1 || {
	echo "no scenario $name" >&2
	exit 1
}
"scenario_$name" >"$tmp/transcript" 2>&1
if [ "${KEHU_UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$tmp/transcript" "$golden"
	echo "wrote $golden"
	exit 0
fi
if diff -u "$golden" "$tmp/transcript"; then
	echo "ok - kehu $name: transcript matches golden/$name.out"
	exit 0
fi
echo "FAIL - kehu $name: transcript differs from golden/$name.out" \
	"(KEHU_UPDATE_GOLDEN=1 rewrites it)"
exit 1
