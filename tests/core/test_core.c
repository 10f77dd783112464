/*
 * tests/core/test_core: the core helpers: UTF-8 validation, calendar
 * arithmetic, checked int64 sums, error messages, byte buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/caltime.h"
#include "core/checked.h"
#include "core/lgamma.h"
#include "core/error.h"
#include "core/utf8.h"

static void test_utf8(void **state)
{
	(void)state;
	assert_true(kehu__utf8_valid("", 0));
	assert_true(kehu__utf8_valid("Zhang San", 9));
	assert_true(kehu__utf8_valid("\xe5\xbc\xa0\xe4\xb8\x89", 6));
	assert_true(kehu__utf8_valid("\xf0\x9f\x98\x80", 4)); /* emoji */
	assert_true(kehu__utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	assert_false(kehu__utf8_valid("\xc0\xaf", 2));     /* overlong */
	assert_false(kehu__utf8_valid("\xe0\x80\xaf", 3)); /* overlong */
	assert_false(kehu__utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(kehu__utf8_valid("\xf4\x90\x80\x80", 4)); /* > max */
	assert_false(kehu__utf8_valid("\xe5\xbc", 2));     /* truncated */
	assert_false(kehu__utf8_valid("\x80", 1));         /* lone cont. */
	assert_false(kehu__utf8_valid("\xff", 1));
	assert_false(kehu__utf8_valid("a\0b", 3));         /* NUL */
}

static void test_calendar(void **state)
{
	(void)state;
	assert_int_equal(kehu__day_of(0, 0), 0);
	assert_int_equal(kehu__day_of(86399, 0), 0);
	assert_int_equal(kehu__day_of(86400, 0), 1);
	/* 1970-01-01T20:00Z is already Jan 2 in Shanghai (UTC+8) */
	assert_int_equal(kehu__day_of(72000, 28800), 1);
	/* and still Dec 31, 1969 in Honolulu at 05:00Z */
	assert_int_equal(kehu__day_of(18000, -36000), -1);
	/* 2024-02-29 is day 19782; month numbers are year*12 + month-1 */
	assert_int_equal(kehu__day_of(INT64_C(1709164800), 0), 19782);
	assert_int_equal(kehu__month_of_day(19782), 2024 * 12 + 1);
	assert_int_equal(kehu__month_of_day(19783), 2024 * 12 + 2);
	assert_int_equal(kehu__first_day_of_month(2024 * 12 + 2), 19783);
	assert_int_equal(kehu__first_day_of_month(1970 * 12), 0);
	assert_int_equal(kehu__month_of_day(-1), 1969 * 12 + 11);
	/* round trip over 9999 years of month starts */
	for (int32_t m = 1970 * 12; m < 9999 * 12; m += 7) {
		int32_t d = kehu__first_day_of_month(m);

		assert_int_equal(kehu__month_of_day(d), m);
		assert_int_equal(kehu__month_of_day(d - 1), m - 1);
	}
}

static void test_checked(void **state)
{
	int64_t r = 0;

	(void)state;
	assert_int_equal(kehu__add_i64(INT64_MAX - 1, 1, &r), 0);
	assert_true(r == INT64_MAX);
	assert_int_equal(kehu__add_i64(INT64_MAX, 1, &r), -1);
	assert_true(r == INT64_MAX); /* untouched */
	assert_int_equal(kehu__add_i64(INT64_MIN, -1, &r), -1);
	assert_int_equal(kehu__sub_i64(INT64_MIN, 1, &r), -1);
	assert_int_equal(kehu__sub_i64(0, INT64_MIN, &r), -1);
	assert_int_equal(kehu__sub_i64(-1, INT64_MIN, &r), 0);
	assert_true(r == INT64_MAX);
}

static void test_errors(void **state)
{
	kehu__error e;
	char longkey[600];

	(void)state;
	assert_string_equal(kehu_strerror(KEHU_OK), "not an error");
	assert_string_equal(kehu_strerror(-999), "unknown error");
	for (int c = KEHU_ECOMPILE; c <= KEHU_OK; c++)
		assert_string_not_equal(kehu_strerror(c), "unknown error");
	assert_int_equal(kehu__error_normalize(7), KEHU_ESTORAGE);
	assert_int_equal(kehu__error_normalize(-1000), KEHU_ESTORAGE);
	assert_int_equal(kehu__error_normalize(KEHU_ENOMEM), KEHU_ENOMEM);
	assert_int_equal(kehu__error_set3(&e, KEHU_EEXIST, "key '", "C-1",
	                                  "' taken"), KEHU_EEXIST);
	assert_string_equal(e.msg, "key 'C-1' taken");
	/* a long subject is shortened, never at a UTF-8 continuation */
	for (size_t i = 0; i + 3 <= sizeof longkey - 1; i += 3)
		memcpy(longkey + i, "\xe5\xbc\xa0", 3);
	longkey[sizeof longkey - 1 - (sizeof longkey - 1) % 3] = '\0';
	kehu__error_set3(&e, KEHU_EEXIST, "key '", longkey, "' taken");
	assert_true(strlen(e.msg) < KEHU__ERRMSG_CAP);
	assert_true(kehu__utf8_valid(e.msg, strlen(e.msg)));
	assert_non_null(strstr(e.msg, "...' taken"));
	kehu__error_seti(&e, KEHU_ENOTFOUND, "no customer ", -42, "");
	assert_string_equal(e.msg, "no customer -42");
}

static void test_buf(void **state)
{
	kehu__allocator a = {kehu_alloc_default, NULL};
	kehu__buf b;

	(void)state;
	kehu__buf_init(&b, &a);
	kehu__buf_put_be64(&b, UINT64_C(0x0102030405060708));
	kehu__buf_put_le64(&b, UINT64_C(0x0102030405060708));
	kehu__buf_put_be32(&b, 0xA0B0C0D0u);
	kehu__buf_put_varint(&b, 300);
	assert_int_equal(b.len, 8 + 8 + 4 + 2);
	assert_int_equal(b.data[0], 1);
	assert_int_equal(b.data[8], 8);
	assert_true(kehu__load_be64(b.data) == UINT64_C(0x0102030405060708));
	assert_true(kehu__load_le64(b.data + 8) ==
	            UINT64_C(0x0102030405060708));
	assert_int_equal(kehu__load_be32(b.data + 16), 0xA0B0C0D0u);
	assert_int_equal(b.data[20], 0xAC);
	assert_int_equal(b.data[21], 0x02);
	kehu__buf_free(&b);
}

/* Against libc's lgamma (fine in a test: one thread). */
static void test_lgamma(void **state)
{
	static const double xs[] = {1e-10, 0.001, 0.1, 0.5, 1, 1.5, 2, 2.5,
	                            3.7, 10, 33.3, 100, 1e4, 1e8, 1e20,
	                            -0.5, -1.5, -2.25, -10.1};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		double want = lgamma(xs[i]), got = kehu__lgamma(xs[i]);

		if (fabs(got - want) > 1e-13 * (1 + fabs(want)))
			fail_msg("lgamma(%g): %.17g, want %.17g", xs[i], got,
			         want);
	}
	assert_true(isinf(kehu__lgamma(0)));
	assert_true(isinf(kehu__lgamma(-3)));
	assert_true(kehu__lgamma(1) == 0 || fabs(kehu__lgamma(1)) < 1e-15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_checked),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_lgamma),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
