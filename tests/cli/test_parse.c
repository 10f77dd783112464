/*
 * tests/cli/test_parse: the `kehu` tool's parsers of dates, amounts and
 * CSV records, at their edges (the transcripts in golden/ show them in
 * use; these pin each rule down).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "cli/csv.h"

static int64_t t_of(const char *s, int32_t off)
{
	int64_t t = -2;

	if (cli_parse_time(s, strlen(s), off, &t) != 0)
		return -1;
	return t;
}

static void test_dates(void **state)
{
	(void)state;
	/* a date alone is noon of that local day */
	assert_int_equal(t_of("1970-01-01", 0), 43200);
	assert_int_equal(t_of("19700101", 0), 43200);
	assert_int_equal(t_of("2024-02-29", 0), 1709208000);
	assert_int_equal(t_of("2024-02-29", 28800), 1709208000 - 28800);
	assert_int_equal(t_of("2024-06-01T10:30:00Z", 28800), 1717237800);
	assert_int_equal(t_of("2024-06-01T10:30:00+08:00", 0),
	                 1717237800 - 28800);
	assert_int_equal(t_of("2024-06-01 10:30", 0), 1717237800);
	assert_int_equal(t_of("2024-06-01T10:30:00.250-0130", 0),
	                 1717237800 + 5400);
	assert_int_equal(t_of("9999-12-31T23:59:59Z", 0),
	                 INT64_C(253402300799));
	assert_int_equal(t_of("2023-02-29", 0), -1);
	assert_int_equal(t_of("2024-13-01", 0), -1);
	assert_int_equal(t_of("1969-12-31", 0), -1);
	assert_int_equal(t_of("2024-1-5", 0), -1);
	assert_int_equal(t_of("15.02.2024", 0), -1);
	assert_int_equal(t_of("2024-06-01T24:00", 0), -1);
	assert_int_equal(t_of("2024-06-01x", 0), -1);
	assert_int_equal(t_of("", 0), -1);
}

static int64_t amount(const char *s, int32_t exp)
{
	const char *why;
	int64_t v = -2;

	if (cli_parse_amount(s, strlen(s), exp, &v, &why) != 0)
		return -1;
	return v;
}

static void test_amounts(void **state)
{
	(void)state;
	assert_int_equal(amount("1234.5", 2), 123450);
	assert_int_equal(amount("1234,50", 2), 123450);
	assert_int_equal(amount("1.234,56", 2), 123456);
	assert_int_equal(amount("1,234.56", 2), 123456);
	assert_int_equal(amount("1,234,567", 2), 123456700);
	assert_int_equal(amount(" 7 ", 2), 700);
	assert_int_equal(amount("0.10", 0), -1); /* no minor unit */
	assert_int_equal(amount("12.00", 0), 12);
	assert_int_equal(amount("1.5", 6), 1500000);
	assert_int_equal(amount("1.005", 2), -1);
	assert_int_equal(amount("1.000", 2), 100);
	assert_int_equal(amount("-5", 2), -1);
	assert_int_equal(amount("ten", 2), -1);
	assert_int_equal(amount("", 2), -1);
	assert_int_equal(amount(".", 2), -1);
	assert_int_equal(amount("92233720368547758.07", 2),
	                 INT64_C(9223372036854775807));
	assert_int_equal(amount("92233720368547758.08", 2), -1);
}

static void test_money_format(void **state)
{
	char buf[48];

	(void)state;
	cli_format_money(buf, sizeof buf, 5, 2);
	assert_string_equal(buf, "0.05");
	cli_format_money(buf, sizeof buf, -123456, 2);
	assert_string_equal(buf, "-1234.56");
	cli_format_money(buf, sizeof buf, 42, 0);
	assert_string_equal(buf, "42");
	cli_format_money(buf, sizeof buf, INT64_MIN, 3);
	assert_string_equal(buf, "-9223372036854775.808");
	cli_format_date(buf, sizeof buf, 1709208000, 0);
	assert_string_equal(buf, "2024-02-29");
	cli_format_date(buf, sizeof buf, 1709208000 - 43200, -3600);
	assert_string_equal(buf, "2024-02-28");
}

static void test_records(void **state)
{
	static const char csv[] =
		"a,\"b,\"\"c\"\"\",d\r\n"
		"\n"
		"\"multi\nline\",x\n"
		"last,\"open";
	cli_reader r;

	(void)state;
	cli_reader_init(&r, csv, sizeof csv - 1, ',');
	assert_int_equal(cli_reader_next(&r), 1);
	assert_int_equal(r.line, 1);
	assert_int_equal(r.nf, 3);
	assert_string_equal(r.f[1].p, "b,\"c\"");
	assert_string_equal(r.f[2].p, "d");
	assert_int_equal(cli_reader_next(&r), 1);
	assert_int_equal(r.line, 3); /* the blank line 2 is skipped */
	assert_string_equal(r.f[0].p, "multi\nline");
	assert_int_equal(cli_reader_next(&r), -1);
	assert_int_equal(r.line, 5);
	assert_string_equal(r.why, "a quote is never closed");
	assert_int_equal(cli_reader_next(&r), 0);
	cli_reader_free(&r);

	cli_reader_init(&r, " 00004 0001 19970101  2   29.33\r\n", 33, 0);
	assert_int_equal(cli_reader_next(&r), 1);
	assert_int_equal(r.nf, 5);
	assert_string_equal(r.f[4].p, "29.33");
	cli_reader_free(&r);
	assert_int_equal(cli_guess_delimiter("\n a;b,c\n", 9), ',');
	assert_int_equal(cli_guess_delimiter("a;b\n", 4), ';');
	assert_int_equal(cli_guess_delimiter(" 1 2 3\n4,5", 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_money_format),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests_name("cli_parse", tests, NULL, NULL);
}
