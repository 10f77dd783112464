/* Install check (check-install.sh): a host built only from the
 * installed headers and `pkg-config --cflags --libs kehu`.  Opens a db
 * with default options, creates customer "C-1", looks it up by key and
 * prints its id. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <kehu.h>

static int fail(kehu_db *db, const char *what, int rc)
{
	fprintf(stderr, "pkgconfig_hello: %s: %d (%s)\n", what, rc,
	        db ? kehu_errmsg(db) : kehu_strerror(rc));
	kehu_db_close(db);
	return 1;
}

int main(void)
{
	kehu_db *db = NULL;
	kehu_customer *c = NULL;
	kehu_id created;
	int rc;

	rc = kehu_db_open(&db, NULL);
	if (rc != KEHU_OK)
		return fail(db, "kehu_db_open", rc);

	rc = kehu_customer_create(&c, db, "C-1");
	if (rc != KEHU_OK)
		return fail(db, "kehu_customer_create", rc);
	created = kehu_customer_get_id(c);
	kehu_customer_free(c);
	c = NULL;

	rc = kehu_customer_lookup_key(&c, db, "C-1");
	if (rc != KEHU_OK)
		return fail(db, "kehu_customer_lookup_key", rc);
	if (kehu_customer_get_id(c) != created ||
	    strcmp(kehu_customer_get_key(c), "C-1") != 0) {
		kehu_customer_free(c);
		return fail(db, "lookup by key found another customer",
		            KEHU_ERROR);
	}

	printf("kehu %s: customer C-1 has id %" PRId64 "\n", kehu_version(),
	       (int64_t)kehu_customer_get_id(c));
	kehu_customer_free(c);
	kehu_db_close(db);
	return 0;
}
