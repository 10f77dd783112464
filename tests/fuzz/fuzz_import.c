/*
 * tests/fuzz/fuzz_import: a libFuzzer target for the `kehu` tool's
 * importers (src/cli/import.c, customers_import.c, csv.c): the CSV and
 * whitespace-separated files a user hands the tool are arbitrary bytes.
 *
 * The first byte of the input chooses the options, the rest is the
 * file:
 *   bits 0-1  format: guessed, CSV, whitespace (CDNOW's), guessed;
 *   bit 2     --strict;
 *   bits 3-4  CSV delimiter: guessed, ',', ';', tab;
 *   bit 5     customer master data (customers import) first;
 *   bit 6     then no interactions import.
 * Each import runs on a fresh db (memory store, a size-checking
 * allocator).  The exit code must be one the tool documents; the stats
 * must agree with the db: interactions recorded == the sum of every
 * customer's interactions, customers created == the db's customers; a
 * strict import that fails wrote nothing.  Nothing may crash or leak.
 *
 * Built as fuzz_import (libFuzzer, clang) and fuzz_import_replay (any
 * compiler, with replay.c), see meson.build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/import.h"
#include "kehu.h"
#include "testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1704067200)

static FILE *devnull;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_import: %s\n", what);
		abort();
	}
}

typedef struct sum_ctx {
	kehu_db *db;
	int64_t interactions;
	int rc;
} sum_ctx;

static int sum_one(kehu_id id, void *ud)
{
	sum_ctx *s = ud;
	kehu_metrics m;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	s->rc = kehu_metrics_read(&m, s->db, id, T0);
	s->interactions += m.interactions;
	return s->rc != KEHU_OK;
}

static int64_t interactions(kehu_db *db)
{
	sum_ctx s;

	s.db = db;
	s.interactions = 0;
	s.rc = KEHU_OK;
	check(kehu_customer_foreach(db, sum_one, &s) == KEHU_OK &&
	      s.rc == KEHU_OK, "walking the customers");
	return s.interactions;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[4] = {0, ',', ';', '\t'};
	kehu_cli_import_options o;
	kehu_cli_import_stats st;
	kehu_db_options dbo;
	kehu_db *db = NULL;
	test_alloc a;
	const char *buf;
	unsigned mode;
	size_t len;
	int64_t before;
	int rc;

	if (size < 1 || size > (1u << 20))
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	mode = data[0];
	buf = (const char *)data + 1;
	len = size - 1;
	memset(&a, 0, sizeof a);
	kehu_db_options_init(&dbo, KEHU_DB_OPTIONS_VERSION);
	dbo.alloc = test_alloc_fn;
	dbo.alloc_user_data = &a;
	check(kehu_db_open(&db, &dbo) == KEHU_OK, "db open");
	if (mode & 0x20) {
		memset(&st, 0, sizeof st);
		rc = kehu_cli_customers_import_buffer(db, buf, len, "fuzz",
		                                      delims[(mode >> 3) & 3],
		                                      (mode & 4) != 0, devnull,
		                                      &st);
		check(rc >= 0 && rc <= 2, "customers import: exit code");
		check(st.customers == kehu_db_customer_count(db),
		      "customers import: customers created");
		check(st.rows >= 0 && st.bad >= 0, "customers import: stats");
		if ((mode & 4) && rc != 0)
			check(kehu_db_customer_count(db) == 0,
			      "a failed strict customers import wrote");
	}
	if (!(mode & 0x40)) {
		memset(&o, 0, sizeof o);
		memset(&st, 0, sizeof st);
		o.name = "fuzz";
		o.format = (int)(mode & 3) == 3 ? KEHU_CLI_FORMAT_AUTO
		                                : (int)(mode & 3);
		o.delimiter = delims[(mode >> 3) & 3];
		o.strict = (mode & 4) != 0;
		o.batch_rows = 7; /* several transactions in small inputs */
		o.err = devnull;
		before = kehu_db_customer_count(db);
		rc = kehu_cli_import_buffer(db, buf, len, &o, &st);
		check(rc >= 0 && rc <= 2, "import: exit code");
		check(st.rows >= 0 && st.bad >= 0 && st.customers >= 0,
		      "import: stats");
		check(st.rows == interactions(db),
		      "import: rows recorded != interactions in the db");
		check(before + st.customers == kehu_db_customer_count(db),
		      "import: customers created != new customers");
		if (o.strict && rc != 0)
			check(st.rows == 0 && st.customers == 0,
			      "a failed strict import wrote");
		if (getenv("KEHU_FUZZ_VERBOSE"))
			fprintf(stderr, "import: exit %d, %ld rows, %ld bad, "
			        "%ld customers\n", rc, st.rows, st.bad,
			        st.customers);
	}
	kehu_db_close(db);
	check(a.live_blocks == 0 && a.bad_osize == 0, "db allocator");
	return 0;
}
