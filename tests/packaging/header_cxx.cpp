/* Header test (STYLE 10.2, 10.9): the public headers compile as C++11
 * with -pedantic -Wall -Wextra -Werror, declare C linkage (the test
 * links against the C shared library), and their macros work as
 * constant expressions. */
#include <kehu.h>

#include <cstdio>
#include <cstring>

static_assert(KEHU_VERSION_CHECK(0, 1, 0), "KEHU_VERSION_CHECK(0, 1, 0)");
static_assert(!KEHU_VERSION_CHECK(KEHU_VERSION_MAJOR + 1, 0, 0),
              "KEHU_VERSION_CHECK(next major)");
static_assert(sizeof(kehu_id) == 8, "kehu_id is 64-bit");

namespace {

int passed, failed;

void check(bool ok, const char *what)
{
	std::printf("%s - %s\n", ok ? "ok  " : "FAIL", what);
	(ok ? passed : failed)++;
}

} // namespace

int main()
{
	const kehu_db_options fixed = KEHU_DB_OPTIONS_INIT;
	kehu_db_options filled;

	check(std::strcmp(kehu_version(), KEHU_VERSION_STRING) == 0 &&
	          kehu_version_number() == KEHU_VERSION_NUMBER,
	      "kehu_version() == KEHU_VERSION_STRING "
	      "(headers and library agree)");

	std::memset(&filled, 0xa5, sizeof filled);
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

	check(KEHU_OK == 0 && KEHU_ENOTFOUND < 0 &&
	          kehu_strerror(KEHU_ENOTFOUND) != NULL,
	      "error codes, kehu_strerror");

	std::printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
