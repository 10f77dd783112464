/* Header test (STYLE 10.2, 10.9): the public headers compile as C99
 * with -pedantic -Wall -Wextra -Werror, their macros work, and the
 * shared library the test links against matches them. */
#include <kehu.h>

#include <stdio.h>
#include <string.h>

/* The version check must work in #if, not only in expressions. */
#if !KEHU_VERSION_CHECK(0, 1, 0)
#error "KEHU_VERSION_CHECK(0, 1, 0) is false"
#endif
#if KEHU_VERSION_CHECK(KEHU_VERSION_MAJOR + 1, 0, 0)
#error "KEHU_VERSION_CHECK(next major) is true"
#endif

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok  " : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

int main(void)
{
	kehu_db_options fixed = KEHU_DB_OPTIONS_INIT;
	kehu_db_options filled;
	kehu_id id = 0;

	check(strcmp(kehu_version(), KEHU_VERSION_STRING) == 0 &&
	          kehu_version_number() == KEHU_VERSION_NUMBER,
	      "kehu_version() == KEHU_VERSION_STRING "
	      "(headers and library agree)");

	memset(&filled, 0xa5, sizeof filled);
	check(kehu_db_options_init(&filled, KEHU_DB_OPTIONS_VERSION) ==
	              KEHU_OK &&
	          filled.version == fixed.version &&
	          filled.alloc == fixed.alloc &&
	          filled.alloc_user_data == fixed.alloc_user_data &&
	          filled.storage == fixed.storage &&
	          filled.utc_offset == fixed.utc_offset &&
	          filled.currency_exponent == fixed.currency_exponent &&
	          fixed.utc_offset == KEHU_UNSET,
	      "KEHU_DB_OPTIONS_INIT == kehu_db_options_init()");

	check(sizeof id == 8 && KEHU_OK == 0 && KEHU_ENOTFOUND < 0 &&
	          kehu_strerror(KEHU_ENOTFOUND) != NULL,
	      "kehu_id, error codes, kehu_strerror");

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
