/*
 * tests/model/test_customer: customers (model layer) through the public
 * API: create and lookup, fields, tags, typed attributes, limits and
 * UTF-8 checks, optimistic saves, external-key changes, delete, erase,
 * iteration, NULL armor and handles outliving their db.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)

static char *repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

static kehu_id new_customer(kehu_db *db, const char *key)
{
	kehu_customer *c;
	kehu_id id;

	OK(kehu_customer_create(&c, db, key));
	id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return id;
}

static void record(kehu_db *db, kehu_id cust, int32_t type, int64_t t,
                   int64_t amount, const char *note)
{
	kehu_interaction *ix;

	OK(kehu_interaction_new(&ix, db, cust, type, t));
	OK(kehu_interaction_set_amount(ix, amount));
	OK(kehu_interaction_set_channel(ix, "store"));
	if (note) {
		OK(kehu_interaction_set_note(ix, note));
		OK(kehu_interaction_set_attr_string(ix, "phone", "555-0100"));
		OK(kehu_interaction_set_attr_int(ix, "seat", 7));
	}
	if (type == KEHU_IX_FEEDBACK)
		OK(kehu_interaction_set_satisfaction(ix, 4));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

/* ---- create and lookup ------------------------------------------------ */

/* Customer ids have gaps (interactions take ids from the same counter)
 * and deleted customers leave theirs: every id finds exactly the live
 * customer that holds it, below, between and above them, whether the
 * slot a dense id would have is the one or not. */
static void test_lookup_with_id_gaps(void **state)
{
	test_fx *f = *state;
	kehu_id ids[300];
	unsigned char live[300];
	kehu_customer *c;
	kehu_id id;
	int i, j, n = 300;

	for (i = 0; i < n; i++) {
		ids[i] = new_customer(f->db, NULL);
		live[i] = 1;
		/* one id taken after the second customer puts the third a
		 * slot before the dense guess; then gaps of up to 3 */
		for (j = 0; j < (i < 4 ? i == 1 : (i * 7) % 4); j++)
			record(f->db, ids[i], KEHU_IX_PURCHASE,
			       T0 + (i * 4 + j) * DAY, 10, NULL);
	}
	for (i = 0; i < n; i += 7) {
		OK(kehu_customer_delete(f->db, ids[i]));
		live[i] = 0;
	}
	assert_true(ids[n - 1] - ids[0] > n); /* the ids do have gaps */
	j = 0;
	for (id = ids[0] - 3; id <= ids[n - 1] + 3; id++) {
		int want = 0;
		int rc;

		while (j < n && ids[j] < id)
			j++;
		want = j < n && ids[j] == id && live[j];
		rc = kehu_customer_lookup(&c, f->db, id);
		assert_int_equal(rc, want ? KEHU_OK : KEHU_ENOTFOUND);
		if (want)
			assert_int_equal(kehu_customer_get_id(c), id);
		kehu_customer_free(c);
	}
}

static void test_create_defaults(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *d;

	OK(kehu_customer_create(&c, f->db, NULL));
	assert_non_null(c);
	assert_true(kehu_customer_get_id(c) >= 1);
	assert_null(kehu_customer_get_key(c));
	assert_string_equal(kehu_customer_get_name(c), "");
	assert_int_equal(kehu_customer_get_kind(c), KEHU_KIND_PERSON);
	assert_int_equal(kehu_customer_get_relation(c),
	                 KEHU_RELATION_CONSUMER);
	assert_int_equal(kehu_customer_get_status(c), KEHU_STATUS_PROSPECT);
	assert_int_equal(kehu_customer_get_referrer(c), 0);
	assert_int_equal(kehu_customer_tag_count(c), 0);
	assert_int_equal(kehu_customer_attr_count(c), 0);
	assert_int_equal(kehu_db_customer_count(f->db), 1);

	OK(kehu_customer_create(&d, f->db, "ERP-0001"));
	assert_string_equal(kehu_customer_get_key(d), "ERP-0001");
	assert_true(kehu_customer_get_id(d) > kehu_customer_get_id(c));
	assert_int_equal(kehu_db_customer_count(f->db), 2);
	assert_int_equal(kehu_errcode(f->db), KEHU_OK);
	kehu_customer_free(c);
	kehu_customer_free(d);
}

static void test_create_key_rules(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = (kehu_customer *)&c; /* must become NULL */
	char *k256 = repeat('k', KEHU_MAX_KEY_BYTES);
	char *k257 = repeat('k', KEHU_MAX_KEY_BYTES + 1);

	OK(kehu_customer_create(&c, f->db, "ERP-42"));
	kehu_customer_free(c);
	c = (kehu_customer *)&c;
	assert_int_equal(kehu_customer_create(&c, f->db, "ERP-42"),
	                 KEHU_EEXIST);
	assert_null(c);
	assert_int_equal(kehu_errcode(f->db), KEHU_EEXIST);
	assert_msg_has(f->db, "ERP-42");
	assert_int_equal(kehu_db_customer_count(f->db), 1);

	c = (kehu_customer *)&c;
	assert_int_equal(kehu_customer_create(&c, f->db, ""), KEHU_EINVAL);
	assert_null(c);
	assert_int_equal(kehu_customer_create(&c, f->db, k257), KEHU_EINVAL);
	assert_msg_has(f->db, "external key");
	OK(kehu_customer_create(&c, f->db, k256));
	assert_string_equal(kehu_customer_get_key(c), k256);
	kehu_customer_free(c);
	/* a key that differs only in case is another key */
	OK(kehu_customer_create(&c, f->db, "erp-42"));
	kehu_customer_free(c);
	assert_int_equal(kehu_db_customer_count(f->db), 3);
	free(k256);
	free(k257);
}

static void test_lookup(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = NULL;
	kehu_id a = new_customer(f->db, "alpha");
	kehu_id b = new_customer(f->db, NULL);

	OK(kehu_customer_lookup(&c, f->db, a));
	assert_int_equal(kehu_customer_get_id(c), a);
	assert_string_equal(kehu_customer_get_key(c), "alpha");
	kehu_customer_free(c);
	OK(kehu_customer_lookup(&c, f->db, b));
	assert_null(kehu_customer_get_key(c));
	kehu_customer_free(c);
	OK(kehu_customer_lookup_key(&c, f->db, "alpha"));
	assert_int_equal(kehu_customer_get_id(c), a);
	kehu_customer_free(c);

	c = (kehu_customer *)&c;
	assert_int_equal(kehu_customer_lookup(&c, f->db, 999), KEHU_ENOTFOUND);
	assert_null(c);
	assert_msg_has(f->db, "999");
	assert_int_equal(kehu_customer_lookup(&c, f->db, 0), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_lookup(&c, f->db, -1), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_lookup(&c, f->db, INT64_MAX),
	                 KEHU_ENOTFOUND);
	c = (kehu_customer *)&c;
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, "beta"),
	                 KEHU_ENOTFOUND);
	assert_null(c);
	assert_msg_has(f->db, "beta");
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, "alph"),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, "alphaa"),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, ""),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, NULL),
	                 KEHU_EINVAL);
	/* a success clears the message */
	OK(kehu_customer_lookup(&c, f->db, a));
	assert_int_equal(kehu_errcode(f->db), KEHU_OK);
	assert_string_equal(kehu_errmsg(f->db), "not an error");
	kehu_customer_free(c);
}

/* ---- scalar fields ---------------------------------------------------- */

static void test_enums(void **state)
{
	test_fx *f = *state;
	kehu_customer *c;
	const int32_t bad[] = {0, -1, 5, 100, INT32_MIN, INT32_MAX};
	size_t i;

	OK(kehu_customer_create(&c, f->db, NULL));
	OK(kehu_customer_set_kind(c, KEHU_KIND_ORGANISATION));
	assert_int_equal(kehu_customer_get_kind(c), KEHU_KIND_ORGANISATION);
	OK(kehu_customer_set_kind(c, KEHU_KIND_PERSON));
	assert_int_equal(kehu_customer_get_kind(c), KEHU_KIND_PERSON);
	assert_int_equal(kehu_customer_set_kind(c, 3), KEHU_EINVAL);
	assert_msg_has(f->db, "kind");
	assert_int_equal(kehu_customer_get_kind(c), KEHU_KIND_PERSON);

	OK(kehu_customer_set_relation(c, KEHU_RELATION_CONSUMER));
	OK(kehu_customer_set_relation(c, KEHU_RELATION_BUSINESS));
	OK(kehu_customer_set_relation(c, KEHU_RELATION_CHANNEL));
	OK(kehu_customer_set_relation(c, KEHU_RELATION_INTERNAL));
	assert_int_equal(kehu_customer_get_relation(c),
	                 KEHU_RELATION_INTERNAL);
	assert_int_equal(kehu_customer_set_relation(c, 5), KEHU_EINVAL);
	assert_msg_has(f->db, "relation");
	assert_int_equal(kehu_customer_get_relation(c),
	                 KEHU_RELATION_INTERNAL);

	OK(kehu_customer_set_status(c, KEHU_STATUS_CUSTOMER));
	assert_int_equal(kehu_customer_get_status(c), KEHU_STATUS_CUSTOMER);
	OK(kehu_customer_set_status(c, KEHU_STATUS_PROSPECT));
	assert_int_equal(kehu_customer_set_status(c, 3), KEHU_EINVAL);
	assert_msg_has(f->db, "status");
	assert_int_equal(kehu_customer_get_status(c), KEHU_STATUS_PROSPECT);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(kehu_customer_set_kind(c, bad[i]),
		                 KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_relation(c, bad[i]),
		                 KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_status(c, bad[i]),
		                 KEHU_EINVAL);
	}
	assert_int_equal(kehu_customer_get_kind(c), KEHU_KIND_PERSON);
	assert_int_equal(kehu_customer_get_relation(c),
	                 KEHU_RELATION_INTERNAL);
	assert_int_equal(kehu_customer_get_status(c), KEHU_STATUS_PROSPECT);
	kehu_customer_free(c);
}

static void test_name(void **state)
{
	test_fx *f = *state;
	kehu_customer *c;
	char *n1024 = repeat('n', KEHU_MAX_NAME_BYTES);
	char *n1025 = repeat('n', KEHU_MAX_NAME_BYTES + 1);

	OK(kehu_customer_create(&c, f->db, NULL));
	OK(kehu_customer_set_name(c, "张三 (Zhang San)"));
	assert_string_equal(kehu_customer_get_name(c), "张三 (Zhang San)");
	OK(kehu_customer_set_name(c, n1024));
	assert_string_equal(kehu_customer_get_name(c), n1024);
	assert_int_equal(kehu_customer_set_name(c, n1025), KEHU_EINVAL);
	assert_msg_has(f->db, "name");
	assert_string_equal(kehu_customer_get_name(c), n1024);
	assert_int_equal(kehu_customer_set_name(c, NULL), KEHU_EINVAL);
	assert_string_equal(kehu_customer_get_name(c), n1024);
	OK(kehu_customer_set_name(c, ""));
	assert_string_equal(kehu_customer_get_name(c), "");
	kehu_customer_free(c);
	free(n1024);
	free(n1025);
}

static void test_referrer(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *r;
	kehu_id a = new_customer(f->db, NULL);
	kehu_id b = new_customer(f->db, NULL);
	kehu_id gone = new_customer(f->db, NULL);

	OK(kehu_customer_delete(f->db, gone));
	OK(kehu_customer_lookup(&c, f->db, a));
	assert_int_equal(kehu_customer_set_referrer(c, -1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_referrer(c), 0);

	/* the customer itself */
	OK(kehu_customer_set_referrer(c, a));
	assert_int_equal(kehu_customer_save(c), KEHU_EINVAL);
	assert_msg_has(f->db, "referrer");
	/* unknown and deleted customers */
	OK(kehu_customer_set_referrer(c, 12345));
	assert_int_equal(kehu_customer_save(c), KEHU_EINVAL);
	assert_msg_has(f->db, "12345");
	OK(kehu_customer_set_referrer(c, gone));
	assert_int_equal(kehu_customer_save(c), KEHU_EINVAL);
	/* nothing was stored, and the handle is still current */
	OK(kehu_customer_lookup(&r, f->db, a));
	assert_int_equal(kehu_customer_get_referrer(r), 0);
	kehu_customer_free(r);

	OK(kehu_customer_set_referrer(c, b));
	OK(kehu_customer_save(c));
	OK(kehu_customer_lookup(&r, f->db, a));
	assert_int_equal(kehu_customer_get_referrer(r), b);
	kehu_customer_free(r);
	OK(kehu_customer_set_referrer(c, 0));
	OK(kehu_customer_save(c));
	OK(kehu_customer_lookup(&r, f->db, a));
	assert_int_equal(kehu_customer_get_referrer(r), 0);
	kehu_customer_free(r);
	kehu_customer_free(c);
}

/* Deleting a referrer leaves the customers it referred saveable. */
static void test_deleted_referrer(void **state)
{
	test_fx *f = *state;
	kehu_customer *c;
	kehu_id ref = new_customer(f->db, NULL);
	kehu_id other = new_customer(f->db, NULL);
	kehu_id id = new_customer(f->db, NULL);

	OK(kehu_customer_lookup(&c, f->db, id));
	OK(kehu_customer_set_referrer(c, ref));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
	OK(kehu_customer_delete(f->db, ref));
	OK(kehu_customer_delete(f->db, other));

	OK(kehu_customer_lookup(&c, f->db, id));
	assert_int_equal(kehu_customer_get_referrer(c), ref);
	OK(kehu_customer_set_name(c, "still editable"));
	OK(kehu_customer_save(c));
	/* another deleted customer is refused, the stored one is not */
	OK(kehu_customer_set_referrer(c, other));
	assert_int_equal(kehu_customer_save(c), KEHU_EINVAL);
	OK(kehu_customer_set_referrer(c, ref));
	OK(kehu_customer_save(c));
	/* once cleared it cannot come back */
	OK(kehu_customer_set_referrer(c, 0));
	OK(kehu_customer_save(c));
	OK(kehu_customer_set_referrer(c, ref));
	assert_int_equal(kehu_customer_save(c), KEHU_EINVAL);
	assert_msg_has(f->db, "referrer");
	kehu_customer_free(c);
}

/* ---- tags ------------------------------------------------------------- */

typedef struct collect {
	char items[300][80];
	int32_t types[300];
	int n;
	int stop_at; /* return 9 from the callback at this count (0: never) */
} collect;

static int collect_tag(const char *tag, void *ud)
{
	collect *k = ud;

	snprintf(k->items[k->n], sizeof k->items[0], "%s", tag);
	k->n++;
	return k->stop_at && k->n == k->stop_at ? 9 : 0;
}

static int collect_attr(const char *name, int32_t type, void *ud)
{
	collect *k = ud;

	snprintf(k->items[k->n], sizeof k->items[0], "%s", name);
	k->types[k->n] = type;
	k->n++;
	return k->stop_at && k->n == k->stop_at ? 9 : 0;
}

static void test_tags(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *r;
	collect *k = calloc(1, sizeof *k);
	char *t64 = repeat('t', KEHU_MAX_TAG_BYTES);
	char *t65 = repeat('t', KEHU_MAX_TAG_BYTES + 1);
	char name[16];
	int i;

	assert_non_null(k);
	OK(kehu_customer_create(&c, f->db, NULL));
	OK(kehu_customer_add_tag(c, "vip"));
	OK(kehu_customer_add_tag(c, "north"));
	OK(kehu_customer_add_tag(c, "vip")); /* idempotent */
	assert_int_equal(kehu_customer_tag_count(c), 2);
	assert_string_equal(kehu_customer_get_tag(c, 0), "vip");
	assert_string_equal(kehu_customer_get_tag(c, 1), "north");
	assert_null(kehu_customer_get_tag(c, 2));
	assert_null(kehu_customer_get_tag(c, (size_t)-1));
	assert_int_equal(kehu_customer_has_tag(c, "vip"), 1);
	assert_int_equal(kehu_customer_has_tag(c, "VIP"), 0);
	assert_int_equal(kehu_customer_has_tag(c, "vi"), 0);
	assert_int_equal(kehu_customer_has_tag(c, NULL), 0);

	assert_int_equal(kehu_customer_add_tag(c, ""), KEHU_EINVAL);
	assert_int_equal(kehu_customer_add_tag(c, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_customer_add_tag(c, t65), KEHU_EINVAL);
	assert_msg_has(f->db, "tag");
	OK(kehu_customer_add_tag(c, t64));
	assert_int_equal(kehu_customer_tag_count(c), 3);

	OK(kehu_customer_remove_tag(c, "vip"));
	assert_int_equal(kehu_customer_tag_count(c), 2);
	assert_int_equal(kehu_customer_has_tag(c, "vip"), 0);
	assert_string_equal(kehu_customer_get_tag(c, 0), "north");
	assert_string_equal(kehu_customer_get_tag(c, 1), t64);
	assert_int_equal(kehu_customer_remove_tag(c, "vip"), KEHU_ENOTFOUND);
	assert_msg_has(f->db, "vip");
	assert_int_equal(kehu_customer_remove_tag(c, NULL), KEHU_EINVAL);

	/* foreach: order added, early stop */
	OK(kehu_customer_add_tag(c, "vip"));
	OK(kehu_customer_foreach_tag(c, collect_tag, k));
	assert_int_equal(k->n, 3);
	assert_string_equal(k->items[0], "north");
	assert_string_equal(k->items[1], t64);
	assert_string_equal(k->items[2], "vip");
	memset(k, 0, sizeof *k);
	k->stop_at = 2;
	assert_int_equal(kehu_customer_foreach_tag(c, collect_tag, k), 9);
	assert_int_equal(k->n, 2);
	assert_int_equal(kehu_customer_foreach_tag(c, NULL, k), KEHU_EINVAL);

	/* at most 64 tags; re-adding one of them is still fine */
	for (i = 0; kehu_customer_tag_count(c) < KEHU_MAX_TAGS; i++) {
		snprintf(name, sizeof name, "t%02d", i);
		OK(kehu_customer_add_tag(c, name));
	}
	assert_int_equal(kehu_customer_add_tag(c, "one-too-many"),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "64");
	assert_int_equal(kehu_customer_tag_count(c), KEHU_MAX_TAGS);
	OK(kehu_customer_add_tag(c, "vip"));
	assert_int_equal(kehu_customer_tag_count(c), KEHU_MAX_TAGS);

	/* survives a save, in order */
	OK(kehu_customer_save(c));
	OK(kehu_customer_lookup(&r, f->db, kehu_customer_get_id(c)));
	assert_int_equal(kehu_customer_tag_count(r), KEHU_MAX_TAGS);
	for (i = 0; i < KEHU_MAX_TAGS; i++)
		assert_string_equal(kehu_customer_get_tag(r, (size_t)i),
		                    kehu_customer_get_tag(c, (size_t)i));
	kehu_customer_free(r);
	kehu_customer_free(c);
	free(k);
	free(t64);
	free(t65);
}

/* ---- attributes ------------------------------------------------------- */

static void test_attrs(void **state)
{
	test_fx *f = *state;
	kehu_customer *c;
	const char *s = NULL;
	int64_t i = 0;
	double d = 0;

	OK(kehu_customer_create(&c, f->db, NULL));
	OK(kehu_customer_set_attr_string(c, "email", "a@example.com"));
	OK(kehu_customer_set_attr_int(c, "children", 2));
	OK(kehu_customer_set_attr_number(c, "income", 1234.5));
	OK(kehu_customer_set_attr_time(c, "birthday", 315532800));
	assert_int_equal(kehu_customer_attr_count(c), 4);

	OK(kehu_customer_get_attr_string(c, "email", &s));
	assert_string_equal(s, "a@example.com");
	OK(kehu_customer_get_attr_int(c, "children", &i));
	assert_int_equal(i, 2);
	OK(kehu_customer_get_attr_number(c, "income", &d));
	assert_true(d == 1234.5);
	OK(kehu_customer_get_attr_time(c, "birthday", &i));
	assert_int_equal(i, 315532800);
	assert_int_equal(kehu_customer_get_attr_type(c, "email"),
	                 KEHU_ATTR_STRING);
	assert_int_equal(kehu_customer_get_attr_type(c, "children"),
	                 KEHU_ATTR_INT);
	assert_int_equal(kehu_customer_get_attr_type(c, "income"),
	                 KEHU_ATTR_NUMBER);
	assert_int_equal(kehu_customer_get_attr_type(c, "birthday"),
	                 KEHU_ATTR_TIME);
	assert_int_equal(kehu_customer_get_attr_type(c, "nope"), 0);
	assert_int_equal(kehu_customer_get_attr_type(c, NULL), 0);

	/* type mismatch: EINVAL and the message says the real type */
	i = 77;
	assert_int_equal(kehu_customer_get_attr_int(c, "email", &i),
	                 KEHU_EINVAL);
	assert_int_equal(i, 77);
	assert_msg_has(f->db, "email");
	assert_msg_has(f->db, "string");
	assert_int_equal(kehu_customer_get_attr_string(c, "children", &s),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "int");
	assert_int_equal(kehu_customer_get_attr_time(c, "children", &i),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_number(c, "birthday", &d),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "time");
	assert_int_equal(kehu_customer_get_attr_int(c, "income", &i),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "number");

	/* missing */
	assert_int_equal(kehu_customer_get_attr_string(c, "phone", &s),
	                 KEHU_ENOTFOUND);
	assert_msg_has(f->db, "phone");
	assert_int_equal(kehu_customer_get_attr_int(c, "phone", &i),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_get_attr_number(c, "phone", &d),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_get_attr_time(c, "phone", &i),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_get_attr_string(c, NULL, &s),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_string(c, "email", NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_int(c, "children", NULL),
	                 KEHU_EINVAL);

	/* replace with another type: count unchanged, old getter fails */
	OK(kehu_customer_set_attr_int(c, "email", 5));
	assert_int_equal(kehu_customer_attr_count(c), 4);
	assert_int_equal(kehu_customer_get_attr_type(c, "email"),
	                 KEHU_ATTR_INT);
	assert_int_equal(kehu_customer_get_attr_string(c, "email", &s),
	                 KEHU_EINVAL);
	OK(kehu_customer_get_attr_int(c, "email", &i));
	assert_int_equal(i, 5);
	OK(kehu_customer_set_attr_string(c, "children", "two"));
	OK(kehu_customer_get_attr_string(c, "children", &s));
	assert_string_equal(s, "two");
	OK(kehu_customer_set_attr_string(c, "children", "three"));
	OK(kehu_customer_get_attr_string(c, "children", &s));
	assert_string_equal(s, "three");
	assert_int_equal(kehu_customer_attr_count(c), 4);

	/* remove */
	OK(kehu_customer_remove_attr(c, "email"));
	assert_int_equal(kehu_customer_attr_count(c), 3);
	assert_int_equal(kehu_customer_get_attr_int(c, "email", &i),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_remove_attr(c, "email"),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_remove_attr(c, NULL), KEHU_EINVAL);

	/* extremes of each type */
	OK(kehu_customer_set_attr_int(c, "min", INT64_MIN));
	OK(kehu_customer_set_attr_int(c, "max", INT64_MAX));
	OK(kehu_customer_set_attr_number(c, "tiny", 4.9e-324));
	OK(kehu_customer_set_attr_number(c, "neg", -1e308));
	OK(kehu_customer_set_attr_time(c, "epoch", 0));
	OK(kehu_customer_set_attr_string(c, "empty", ""));
	OK(kehu_customer_get_attr_string(c, "empty", &s));
	assert_string_equal(s, "");
	kehu_customer_free(c);
}

static void test_attr_limits(void **state)
{
	test_fx *f = *state;
	kehu_customer *c;
	char *n64 = repeat('a', KEHU_MAX_ATTR_NAME_BYTES);
	char *n65 = repeat('a', KEHU_MAX_ATTR_NAME_BYTES + 1);
	char *v4096 = repeat('v', KEHU_MAX_ATTR_VALUE_BYTES);
	char *v4097 = repeat('v', KEHU_MAX_ATTR_VALUE_BYTES + 1);
	const char *s;
	char name[16];
	int i;

	OK(kehu_customer_create(&c, f->db, NULL));
	OK(kehu_customer_set_attr_int(c, n64, 1));
	assert_int_equal(kehu_customer_set_attr_int(c, n65, 1), KEHU_EINVAL);
	assert_msg_has(f->db, "attribute name");
	assert_int_equal(kehu_customer_set_attr_int(c, "", 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_attr_int(c, NULL, 1), KEHU_EINVAL);
	OK(kehu_customer_set_attr_string(c, "long", v4096));
	OK(kehu_customer_get_attr_string(c, "long", &s));
	assert_int_equal(strlen(s), KEHU_MAX_ATTR_VALUE_BYTES);
	assert_int_equal(kehu_customer_set_attr_string(c, "long", v4097),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "attribute value");
	OK(kehu_customer_get_attr_string(c, "long", &s));
	assert_int_equal(strlen(s), KEHU_MAX_ATTR_VALUE_BYTES);
	assert_int_equal(kehu_customer_set_attr_string(c, "x", NULL),
	                 KEHU_EINVAL);

	/* only finite numbers */
	assert_int_equal(kehu_customer_set_attr_number(c, "nan", NAN),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "finite");
	assert_int_equal(kehu_customer_set_attr_number(c, "inf", INFINITY),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_attr_number(c, "inf", -INFINITY),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_type(c, "nan"), 0);
	/* replacing with NaN keeps the old value */
	OK(kehu_customer_set_attr_number(c, "pi", 3.25));
	assert_int_equal(kehu_customer_set_attr_number(c, "pi", NAN),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_type(c, "pi"),
	                 KEHU_ATTR_NUMBER);

	/* at most 256 attributes; replacing one is still fine */
	for (i = 0; kehu_customer_attr_count(c) < KEHU_MAX_ATTRS; i++) {
		snprintf(name, sizeof name, "f%03d", i);
		OK(kehu_customer_set_attr_int(c, name, i));
	}
	assert_int_equal(kehu_customer_set_attr_int(c, "zzz", 1),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "256");
	assert_int_equal(kehu_customer_attr_count(c), KEHU_MAX_ATTRS);
	OK(kehu_customer_set_attr_string(c, "f000", "replaced"));
	assert_int_equal(kehu_customer_attr_count(c), KEHU_MAX_ATTRS);
	OK(kehu_customer_remove_attr(c, "f001"));
	OK(kehu_customer_set_attr_int(c, "zzz", 1));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
	free(n64);
	free(n65);
	free(v4096);
	free(v4097);
}

static void test_attr_foreach_order(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *r;
	collect *k = calloc(1, sizeof *k);
	const char *want[] = {"Mid", "alpha", "beta", "zeta",
	                      "\xc3\xa9t\xc3\xa9"};

	assert_non_null(k);
	OK(kehu_customer_create(&c, f->db, NULL));
	OK(kehu_customer_set_attr_int(c, "zeta", 1));
	OK(kehu_customer_set_attr_string(c, "\xc3\xa9t\xc3\xa9", "summer"));
	OK(kehu_customer_set_attr_time(c, "beta", 2));
	OK(kehu_customer_set_attr_number(c, "alpha", 0.5));
	OK(kehu_customer_set_attr_int(c, "Mid", 3));
	OK(kehu_customer_foreach_attr(c, collect_attr, k));
	assert_int_equal(k->n, 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(k->items[i], want[i]);
	assert_int_equal(k->types[0], KEHU_ATTR_INT);
	assert_int_equal(k->types[1], KEHU_ATTR_NUMBER);
	assert_int_equal(k->types[2], KEHU_ATTR_TIME);
	assert_int_equal(k->types[3], KEHU_ATTR_INT);
	assert_int_equal(k->types[4], KEHU_ATTR_STRING);

	memset(k, 0, sizeof *k);
	k->stop_at = 3;
	assert_int_equal(kehu_customer_foreach_attr(c, collect_attr, k), 9);
	assert_int_equal(k->n, 3);
	assert_int_equal(kehu_customer_foreach_attr(c, NULL, k), KEHU_EINVAL);

	/* still in name order after a round trip */
	OK(kehu_customer_save(c));
	OK(kehu_customer_lookup(&r, f->db, kehu_customer_get_id(c)));
	memset(k, 0, sizeof *k);
	OK(kehu_customer_foreach_attr(r, collect_attr, k));
	assert_int_equal(k->n, 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(k->items[i], want[i]);
	kehu_customer_free(r);
	kehu_customer_free(c);
	free(k);
}

/* ---- UTF-8 ------------------------------------------------------------ */

static const char *const bad_utf8[] = {
	"\xc0\xaf",            /* overlong '/' */
	"\xe0\x80\xaf",        /* overlong, 3 bytes */
	"\xf0\x80\x80\xaf",    /* overlong, 4 bytes */
	"\xc1\xbf",            /* overlong */
	"\xed\xa0\x80",        /* surrogate U+D800 */
	"\xed\xbf\xbf",        /* surrogate U+DFFF */
	"ab\xe4\xb8",          /* truncated at the end */
	"\xe4\xb8z",           /* truncated in the middle */
	"\xc3",                /* lone lead byte */
	"\x80",                /* lone continuation */
	"x\xbfy",              /* continuation without lead */
	"\xf4\x90\x80\x80",    /* above U+10FFFF */
	"\xf5\x80\x80\x80",    /* invalid lead */
	"\xff",                /* invalid byte */
};

static const char *const good_utf8[] = {
	"caf\xc3\xa9",         /* é */
	"\xe4\xb8\xad\xe6\x96\x87", /* 中文 */
	"\xf0\x9f\x98\x80",    /* U+1F600 */
	"\xef\xbf\xbf",        /* U+FFFF */
	"\xf4\x8f\xbf\xbf",    /* U+10FFFF */
	"\xed\x9f\xbf",        /* U+D7FF, just below the surrogates */
};

static void test_utf8(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *out;
	size_t i;

	OK(kehu_customer_create(&c, f->db, "plain"));
	for (i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		const char *b = bad_utf8[i];

		out = (kehu_customer *)&out;
		assert_int_equal(kehu_customer_create(&out, f->db, b),
		                 KEHU_EINVAL);
		assert_null(out);
		assert_msg_has(f->db, "UTF-8");
		assert_int_equal(kehu_customer_lookup_key(&out, f->db, b),
		                 KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_key(c, b), KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_name(c, b), KEHU_EINVAL);
		assert_int_equal(kehu_customer_add_tag(c, b), KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_attr_int(c, b, 1),
		                 KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_attr_string(c, "s", b),
		                 KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_attr_number(c, b, 1.0),
		                 KEHU_EINVAL);
		assert_int_equal(kehu_customer_set_attr_time(c, b, 1),
		                 KEHU_EINVAL);
	}
	assert_string_equal(kehu_customer_get_key(c), "plain");
	assert_string_equal(kehu_customer_get_name(c), "");
	assert_int_equal(kehu_customer_tag_count(c), 0);
	assert_int_equal(kehu_customer_attr_count(c), 0);
	assert_int_equal(kehu_db_customer_count(f->db), 1);

	for (i = 0; i < sizeof good_utf8 / sizeof good_utf8[0]; i++) {
		const char *g = good_utf8[i];

		OK(kehu_customer_create(&out, f->db, g));
		kehu_customer_free(out);
		OK(kehu_customer_lookup_key(&out, f->db, g));
		kehu_customer_free(out);
		OK(kehu_customer_set_name(c, g));
		OK(kehu_customer_add_tag(c, g));
		OK(kehu_customer_set_attr_string(c, g, g));
	}
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
}

/* ---- save ------------------------------------------------------------- */

static void test_save_round_trip(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *r;
	kehu_id ref = new_customer(f->db, NULL);
	const char *s;
	int64_t i;
	double d;

	OK(kehu_customer_create(&c, f->db, "K-1"));
	OK(kehu_customer_set_name(c, "ACME \xe6\x9c\x89\xe9\x99\x90"));
	OK(kehu_customer_set_kind(c, KEHU_KIND_ORGANISATION));
	OK(kehu_customer_set_relation(c, KEHU_RELATION_CHANNEL));
	OK(kehu_customer_set_status(c, KEHU_STATUS_CUSTOMER));
	OK(kehu_customer_set_referrer(c, ref));
	OK(kehu_customer_add_tag(c, "b2b"));
	OK(kehu_customer_add_tag(c, "east"));
	OK(kehu_customer_set_attr_string(c, "vat", "CN-123"));
	OK(kehu_customer_set_attr_int(c, "staff", -42));
	OK(kehu_customer_set_attr_number(c, "score", 0.1));
	OK(kehu_customer_set_attr_time(c, "since", T0));
	OK(kehu_customer_save(c));
	/* saving again through the same handle is fine */
	OK(kehu_customer_set_attr_int(c, "staff", 43));
	OK(kehu_customer_save(c));
	OK(kehu_customer_save(c));

	for (int by_key = 0; by_key < 2; by_key++) {
		if (by_key)
			OK(kehu_customer_lookup_key(&r, f->db, "K-1"));
		else
			OK(kehu_customer_lookup(&r, f->db,
			                        kehu_customer_get_id(c)));
		assert_int_equal(kehu_customer_get_id(r),
		                 kehu_customer_get_id(c));
		assert_string_equal(kehu_customer_get_key(r), "K-1");
		assert_string_equal(kehu_customer_get_name(r),
		                    "ACME \xe6\x9c\x89\xe9\x99\x90");
		assert_int_equal(kehu_customer_get_kind(r),
		                 KEHU_KIND_ORGANISATION);
		assert_int_equal(kehu_customer_get_relation(r),
		                 KEHU_RELATION_CHANNEL);
		assert_int_equal(kehu_customer_get_status(r),
		                 KEHU_STATUS_CUSTOMER);
		assert_int_equal(kehu_customer_get_referrer(r), ref);
		assert_int_equal(kehu_customer_tag_count(r), 2);
		assert_string_equal(kehu_customer_get_tag(r, 0), "b2b");
		assert_string_equal(kehu_customer_get_tag(r, 1), "east");
		assert_int_equal(kehu_customer_attr_count(r), 4);
		OK(kehu_customer_get_attr_string(r, "vat", &s));
		assert_string_equal(s, "CN-123");
		OK(kehu_customer_get_attr_int(r, "staff", &i));
		assert_int_equal(i, 43);
		OK(kehu_customer_get_attr_number(r, "score", &d));
		assert_true(d == 0.1);
		OK(kehu_customer_get_attr_time(r, "since", &i));
		assert_int_equal(i, T0);
		kehu_customer_free(r);
	}
	/* unsaved edits stay in the handle only */
	OK(kehu_customer_set_name(c, "draft"));
	OK(kehu_customer_lookup(&r, f->db, kehu_customer_get_id(c)));
	assert_string_equal(kehu_customer_get_name(r),
	                    "ACME \xe6\x9c\x89\xe9\x99\x90");
	kehu_customer_free(r);
	kehu_customer_free(c);
}

static void test_conflict(void **state)
{
	test_fx *f = *state;
	kehu_customer *h1, *h2, *h3, *r;
	kehu_id id = new_customer(f->db, "C");

	OK(kehu_customer_lookup(&h1, f->db, id));
	OK(kehu_customer_lookup(&h2, f->db, id));
	OK(kehu_customer_set_name(h1, "one"));
	OK(kehu_customer_save(h1));
	OK(kehu_customer_set_name(h2, "two"));
	OK(kehu_customer_add_tag(h2, "lost"));
	assert_int_equal(kehu_customer_save(h2), KEHU_ECONFLICT);
	assert_int_equal(kehu_errcode(f->db), KEHU_ECONFLICT);
	/* the handle keeps its edits; the store keeps the first save */
	assert_string_equal(kehu_customer_get_name(h2), "two");
	assert_int_equal(kehu_customer_save(h2), KEHU_ECONFLICT);
	OK(kehu_customer_lookup(&r, f->db, id));
	assert_string_equal(kehu_customer_get_name(r), "one");
	assert_int_equal(kehu_customer_tag_count(r), 0);
	kehu_customer_free(r);

	/* a fresh handle saves; then the first one is stale too */
	OK(kehu_customer_lookup(&h3, f->db, id));
	OK(kehu_customer_set_name(h3, "three"));
	OK(kehu_customer_save(h3));
	OK(kehu_customer_set_name(h1, "one again"));
	assert_int_equal(kehu_customer_save(h1), KEHU_ECONFLICT);
	OK(kehu_customer_lookup(&r, f->db, id));
	assert_string_equal(kehu_customer_get_name(r), "three");
	kehu_customer_free(r);

	/* a stale handle cannot move the external key either */
	OK(kehu_customer_set_key(h2, "C2"));
	assert_int_equal(kehu_customer_save(h2), KEHU_ECONFLICT);
	OK(kehu_customer_lookup_key(&r, f->db, "C"));
	kehu_customer_free(r);
	assert_int_equal(kehu_customer_lookup_key(&r, f->db, "C2"),
	                 KEHU_ENOTFOUND);

	/* an erase makes older handles stale */
	OK(kehu_customer_erase(f->db, id));
	assert_int_equal(kehu_customer_save(h3), KEHU_ECONFLICT);
	kehu_customer_free(h1);
	kehu_customer_free(h2);
	kehu_customer_free(h3);
}

static void test_change_key(void **state)
{
	test_fx *f = *state;
	kehu_customer *a, *r;
	kehu_id ida = new_customer(f->db, "A");
	kehu_id idb = new_customer(f->db, "B");
	char *k257 = repeat('x', KEHU_MAX_KEY_BYTES + 1);

	OK(kehu_customer_lookup(&a, f->db, ida));
	assert_int_equal(kehu_customer_set_key(a, ""), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_key(a, k257), KEHU_EINVAL);
	assert_string_equal(kehu_customer_get_key(a), "A");
	/* saving the unchanged key is not a clash with itself */
	OK(kehu_customer_set_key(a, "A"));
	OK(kehu_customer_save(a));

	OK(kehu_customer_set_key(a, "A2"));
	assert_string_equal(kehu_customer_get_key(a), "A2");
	OK(kehu_customer_save(a));
	assert_int_equal(kehu_customer_lookup_key(&r, f->db, "A"),
	                 KEHU_ENOTFOUND);
	OK(kehu_customer_lookup_key(&r, f->db, "A2"));
	assert_int_equal(kehu_customer_get_id(r), ida);
	assert_string_equal(kehu_customer_get_key(r), "A2");
	kehu_customer_free(r);

	/* a taken key: EEXIST naming it, nothing changes */
	OK(kehu_customer_set_key(a, "B"));
	assert_int_equal(kehu_customer_save(a), KEHU_EEXIST);
	assert_msg_has(f->db, "'B'");
	OK(kehu_customer_lookup_key(&r, f->db, "B"));
	assert_int_equal(kehu_customer_get_id(r), idb);
	kehu_customer_free(r);
	OK(kehu_customer_lookup_key(&r, f->db, "A2"));
	assert_int_equal(kehu_customer_get_id(r), ida);
	kehu_customer_free(r);

	/* the old key is free for another customer */
	assert_true(new_customer(f->db, "A") > idb);
	OK(kehu_customer_lookup_key(&r, f->db, "A"));
	assert_true(kehu_customer_get_id(r) > idb);
	kehu_customer_free(r);

	/* NULL removes the key */
	OK(kehu_customer_set_key(a, NULL));
	assert_null(kehu_customer_get_key(a));
	OK(kehu_customer_save(a));
	assert_int_equal(kehu_customer_lookup_key(&r, f->db, "A2"),
	                 KEHU_ENOTFOUND);
	OK(kehu_customer_lookup(&r, f->db, ida));
	assert_null(kehu_customer_get_key(r));
	kehu_customer_free(r);
	/* and a key can be given again */
	OK(kehu_customer_set_key(a, "A3"));
	OK(kehu_customer_save(a));
	OK(kehu_customer_lookup_key(&r, f->db, "A3"));
	assert_int_equal(kehu_customer_get_id(r), ida);
	kehu_customer_free(r);
	/* "A2" was freed by the removal */
	assert_true(new_customer(f->db, "A2") > 0);
	kehu_customer_free(a);
	free(k257);
}

/* ---- delete and erase --------------------------------------------------- */

static uint64_t store_keys(kehu_storage_memory *m)
{
	return kehu_storage_memory_count(m);
}

static void test_delete(void **state)
{
	test_fx *f = *state;
	test_alloc a;
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db *db;
	kehu_customer *c, *stale;
	kehu_history *h;
	kehu_metrics m;
	uint64_t base;
	kehu_id keep, id, last = 0;
	int i;

	(void)f;
	memset(&a, 0, sizeof a);
	OK(kehu_storage_memory_new(&mem, test_alloc_fn, &a));
	OK(kehu_storage_memory_get_vtable(mem, &vt));
	OK(test_open(&db, &a, &vt));
	keep = new_customer(db, "keep");
	record(db, keep, KEHU_IX_PURCHASE, T0, 100, "kept note");
	base = store_keys(mem);

	OK(kehu_customer_create(&c, db, "gone"));
	id = kehu_customer_get_id(c);
	OK(kehu_customer_set_name(c, "Gone Person"));
	OK(kehu_customer_add_tag(c, "x"));
	OK(kehu_customer_set_attr_int(c, "n", 1));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
	for (i = 0; i < 100; i++)
		record(db, id, i % 3 ? KEHU_IX_PURCHASE : KEHU_IX_COMPLAINT,
		       T0 + i * DAY / 2, 10, "note");
	OK(kehu_customer_lookup(&stale, db, id));
	assert_int_equal(kehu_db_customer_count(db), 2);
	assert_true(store_keys(mem) > base + 100);

	OK(kehu_customer_delete(db, id));
	assert_int_equal(kehu_db_customer_count(db), 1);
	/* every key of the customer is gone: record, key, history,
	 * metrics, day buckets */
	assert_int_equal(store_keys(mem), base);
	assert_int_equal(kehu_customer_lookup(&c, db, id), KEHU_ENOTFOUND);
	assert_null(c);
	assert_int_equal(kehu_customer_lookup_key(&c, db, "gone"),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_history_new(&h, db, id, 0, INT64_MAX, 0),
	                 KEHU_ENOTFOUND);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, db, id, T0), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_delete(db, id), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_erase(db, id), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_delete(db, 0), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_delete(db, 4242), KEHU_ENOTFOUND);

	/* a stale handle cannot resurrect it */
	OK(kehu_customer_set_name(stale, "back"));
	assert_int_equal(kehu_customer_save(stale), KEHU_ENOTFOUND);
	assert_msg_has(db, "deleted");
	assert_int_equal(kehu_customer_lookup(&c, db, id), KEHU_ENOTFOUND);
	kehu_customer_free(stale);

	/* a referrer that was deleted no longer counts */
	OK(kehu_customer_lookup(&c, db, keep));
	OK(kehu_customer_set_referrer(c, id));
	assert_int_equal(kehu_customer_save(c), KEHU_EINVAL);
	kehu_customer_free(c);

	/* the id is never reused; the key is free again */
	OK(kehu_customer_create(&c, db, "gone"));
	assert_true(kehu_customer_get_id(c) > id + 100);
	last = kehu_customer_get_id(c);
	kehu_customer_free(c);
	assert_true(last > id);
	assert_int_equal(kehu_db_customer_count(db), 2);

	/* the other customer is untouched */
	OK(kehu_history_new(&h, db, keep, 0, INT64_MAX, 0));
	{
		const kehu_interaction *ix;

		OK(kehu_history_next(h, &ix));
		assert_string_equal(kehu_interaction_get_note(ix),
		                    "kept note");
		assert_int_equal(kehu_history_next(h, &ix), KEHU_ITEROVER);
	}
	kehu_history_free(h);

	/* a reopened db agrees: the id stays used */
	kehu_db_close(db);
	OK(test_open(&db, &a, &vt));
	assert_int_equal(kehu_db_customer_count(db), 2);
	assert_int_equal(kehu_customer_lookup(&c, db, id), KEHU_ENOTFOUND);
	OK(kehu_customer_create(&c, db, NULL));
	assert_true(kehu_customer_get_id(c) > last);
	kehu_customer_free(c);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
	assert_int_equal(a.live_bytes, 0);
	assert_int_equal(a.bad_osize, 0);
}

static void test_erase(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *r;
	kehu_history *h;
	const kehu_interaction *ix;
	kehu_metrics before, after;
	kehu_id ref = new_customer(f->db, NULL);
	kehu_id id;
	int n, i;

	OK(kehu_customer_create(&c, f->db, "PII-1"));
	id = kehu_customer_get_id(c);
	OK(kehu_customer_set_name(c, "Jane Doe"));
	OK(kehu_customer_set_kind(c, KEHU_KIND_ORGANISATION));
	OK(kehu_customer_set_relation(c, KEHU_RELATION_BUSINESS));
	OK(kehu_customer_set_status(c, KEHU_STATUS_CUSTOMER));
	OK(kehu_customer_set_referrer(c, ref));
	OK(kehu_customer_add_tag(c, "secret"));
	OK(kehu_customer_set_attr_string(c, "phone", "555-1234"));
	OK(kehu_customer_set_attr_time(c, "born", 0));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
	for (i = 0; i < 150; i++) /* more than one page of history */
		record(f->db, id,
		       i % 5 == 4 ? KEHU_IX_FEEDBACK : KEHU_IX_PURCHASE,
		       T0 + i * 3600, 100 + i, i % 2 ? "private note" : NULL);
	kehu_metrics_init(&before, KEHU_METRICS_VERSION);
	OK(kehu_metrics_read(&before, f->db, id, T0 + 10 * DAY));

	OK(kehu_customer_erase(f->db, id));
	OK(kehu_customer_lookup(&r, f->db, id));
	assert_null(kehu_customer_get_key(r));
	assert_string_equal(kehu_customer_get_name(r), "");
	assert_int_equal(kehu_customer_tag_count(r), 0);
	assert_int_equal(kehu_customer_attr_count(r), 0);
	assert_int_equal(kehu_customer_get_kind(r), KEHU_KIND_ORGANISATION);
	assert_int_equal(kehu_customer_get_relation(r),
	                 KEHU_RELATION_BUSINESS);
	assert_int_equal(kehu_customer_get_status(r), KEHU_STATUS_CUSTOMER);
	assert_int_equal(kehu_customer_get_referrer(r), ref);
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, "PII-1"),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_db_customer_count(f->db), 2);

	/* history: amounts, times, types kept; notes and attrs gone */
	OK(kehu_history_new(&h, f->db, id, 0, INT64_MAX, 0));
	for (n = 0; kehu_history_next(h, &ix) == KEHU_OK; n++) {
		assert_int_equal(kehu_interaction_get_time(ix), T0 + n * 3600);
		assert_int_equal(kehu_interaction_get_amount(ix), 100 + n);
		assert_int_equal(kehu_interaction_get_type(ix),
		                 n % 5 == 4 ? KEHU_IX_FEEDBACK
		                            : KEHU_IX_PURCHASE);
		assert_string_equal(kehu_interaction_get_note(ix), "");
		assert_int_equal(kehu_interaction_attr_count(ix), 0);
		assert_string_equal(kehu_interaction_get_channel(ix), "store");
	}
	assert_int_equal(n, 150);
	kehu_history_free(h);

	kehu_metrics_init(&after, KEHU_METRICS_VERSION);
	OK(kehu_metrics_read(&after, f->db, id, T0 + 10 * DAY));
	test_assert_metrics_equal(&before, &after);
	assert_int_equal(after.orders, 120);

	/* erasing twice is fine; the key can be used again */
	OK(kehu_customer_erase(f->db, id));
	OK(kehu_customer_create(&c, f->db, "PII-1"));
	assert_true(kehu_customer_get_id(c) != id);
	kehu_customer_free(c);
	/* the erased customer can be edited again from a fresh handle */
	OK(kehu_customer_set_name(r, "stale"));
	assert_int_equal(kehu_customer_save(r), KEHU_ECONFLICT);
	kehu_customer_free(r);
	OK(kehu_customer_lookup(&r, f->db, id));
	OK(kehu_customer_set_name(r, "Anonymous"));
	OK(kehu_customer_save(r));
	kehu_customer_free(r);
	assert_int_equal(kehu_customer_erase(f->db, 999), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_erase(NULL, id), KEHU_EINVAL);
}

/* ---- iteration -------------------------------------------------------- */

typedef struct ids {
	kehu_id v[64];
	int n;
	int stop_at;
	kehu_db *db;
	int create_on_first;
} ids;

static int collect_id(kehu_id id, void *ud)
{
	ids *k = ud;

	k->v[k->n++] = id;
	if (k->create_on_first && k->n == 1) {
		kehu_customer *c;

		if (kehu_customer_create(&c, k->db, NULL) != KEHU_OK)
			return -100;
		kehu_customer_free(c);
	}
	return k->stop_at && k->n == k->stop_at ? 5 : 0;
}

static void test_foreach(void **state)
{
	test_fx *f = *state;
	kehu_id id[6];
	ids k;
	int i;

	memset(&k, 0, sizeof k);
	OK(kehu_customer_foreach(f->db, collect_id, &k));
	assert_int_equal(k.n, 0);
	for (i = 0; i < 6; i++)
		id[i] = new_customer(f->db, NULL);
	OK(kehu_customer_delete(f->db, id[2]));
	OK(kehu_customer_delete(f->db, id[5]));
	OK(kehu_customer_foreach(f->db, collect_id, &k));
	assert_int_equal(k.n, 4);
	assert_int_equal(k.v[0], id[0]);
	assert_int_equal(k.v[1], id[1]);
	assert_int_equal(k.v[2], id[3]);
	assert_int_equal(k.v[3], id[4]);

	memset(&k, 0, sizeof k);
	k.stop_at = 2;
	assert_int_equal(kehu_customer_foreach(f->db, collect_id, &k), 5);
	assert_int_equal(k.n, 2);
	assert_int_equal(kehu_customer_foreach(f->db, NULL, &k), KEHU_EINVAL);
	assert_int_equal(kehu_customer_foreach(NULL, collect_id, &k),
	                 KEHU_EINVAL);

	/* customers created by the callback are visited too */
	memset(&k, 0, sizeof k);
	k.db = f->db;
	k.create_on_first = 1;
	OK(kehu_customer_foreach(f->db, collect_id, &k));
	assert_int_equal(k.n, 5);
	for (i = 1; i < k.n; i++)
		assert_true(k.v[i] > k.v[i - 1]);
}

/* ---- armor ------------------------------------------------------------ */

static void test_null_args(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = (kehu_customer *)&c;
	const char *s;
	int64_t i;
	double d;

	assert_int_equal(kehu_customer_create(&c, NULL, NULL), KEHU_EINVAL);
	assert_null(c);
	assert_int_equal(kehu_customer_create(NULL, f->db, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_create(NULL, f->db, "k"), KEHU_EINVAL);
	assert_int_equal(kehu_db_customer_count(f->db), 0);
	assert_int_equal(kehu_customer_lookup(NULL, f->db, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_lookup(&c, NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_lookup_key(NULL, f->db, "k"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_lookup_key(&c, NULL, "k"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_save(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_customer_delete(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_erase(NULL, 1), KEHU_EINVAL);
	kehu_customer_free(NULL);

	assert_int_equal(kehu_customer_get_id(NULL), 0);
	assert_null(kehu_customer_get_key(NULL));
	assert_string_equal(kehu_customer_get_name(NULL), "");
	assert_int_equal(kehu_customer_get_kind(NULL), 0);
	assert_int_equal(kehu_customer_get_relation(NULL), 0);
	assert_int_equal(kehu_customer_get_status(NULL), 0);
	assert_int_equal(kehu_customer_get_referrer(NULL), 0);
	assert_int_equal(kehu_customer_tag_count(NULL), 0);
	assert_null(kehu_customer_get_tag(NULL, 0));
	assert_int_equal(kehu_customer_has_tag(NULL, "x"), 0);
	assert_int_equal(kehu_customer_attr_count(NULL), 0);
	assert_int_equal(kehu_customer_get_attr_type(NULL, "x"), 0);

	assert_int_equal(kehu_customer_set_key(NULL, "k"), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_name(NULL, "n"), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_kind(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_relation(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_status(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_referrer(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_add_tag(NULL, "t"), KEHU_EINVAL);
	assert_int_equal(kehu_customer_remove_tag(NULL, "t"), KEHU_EINVAL);
	assert_int_equal(kehu_customer_foreach_tag(NULL, collect_tag, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_attr_string(NULL, "a", "v"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_attr_int(NULL, "a", 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_attr_number(NULL, "a", 1.0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_set_attr_time(NULL, "a", 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_string(NULL, "a", &s),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_int(NULL, "a", &i),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_number(NULL, "a", &d),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_get_attr_time(NULL, "a", &i),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_customer_remove_attr(NULL, "a"), KEHU_EINVAL);
	assert_int_equal(kehu_customer_foreach_attr(NULL, collect_attr, NULL),
	                 KEHU_EINVAL);
}

/* Handles that outlive their db answer EMISUSE; freeing them releases
 * the db (zombie close) without leaks. */
static void test_zombie(void **state)
{
	test_alloc a;
	kehu_db *db;
	kehu_customer *c, *d;
	const char *s;
	int64_t i;

	(void)state;
	memset(&a, 0, sizeof a);
	OK(test_open(&db, &a, NULL));
	OK(kehu_customer_create(&c, db, "Z"));
	OK(kehu_customer_set_attr_string(c, "a", "v"));
	OK(kehu_customer_add_tag(c, "t"));
	OK(kehu_customer_save(c));
	OK(kehu_customer_lookup(&d, db, kehu_customer_get_id(c)));
	kehu_db_close(db);
	assert_true(a.live_bytes > 0); /* deferred */

	assert_int_equal(kehu_customer_save(c), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_name(c, "x"), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_key(c, "x"), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_kind(c, 1), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_relation(c, 1), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_status(c, 1), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_referrer(c, 0), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_add_tag(c, "u"), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_remove_tag(c, "t"), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_set_attr_int(c, "b", 1),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_customer_get_attr_string(c, "a", &s),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_customer_get_attr_int(c, "a", &i),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_customer_remove_attr(c, "a"), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_foreach_tag(c, collect_tag, NULL),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_customer_foreach_attr(c, collect_attr, NULL),
	                 KEHU_EMISUSE);
	/* the copy's plain getters still read the handle */
	assert_string_equal(kehu_customer_get_key(c), "Z");
	assert_int_equal(kehu_customer_tag_count(c), 1);
	kehu_customer_free(c);
	assert_true(a.live_bytes > 0); /* d still holds the db */
	assert_int_equal(kehu_customer_save(d), KEHU_EMISUSE);
	kehu_customer_free(d);
	assert_int_equal(a.live_bytes, 0);
	assert_int_equal(a.live_blocks, 0);
	assert_int_equal(a.bad_osize, 0);
}

/* Every failure on a live handle leaves its code and a message on the
 * db (kehu_errcode/kehu_errmsg), also for NULL out pointers and
 * callbacks; a success clears them. */
#define FAILS(db, expr, code)                                        \
	do {                                                         \
		int rc_ = (expr);                                    \
		assert_int_equal(rc_, (code));                       \
		assert_int_equal(kehu_errcode(db), (code));          \
		assert_string_not_equal(kehu_errmsg(db),             \
		                        "not an error");             \
		OK(kehu_customer_set_kind(c, KEHU_KIND_PERSON));     \
		assert_int_equal(kehu_errcode(db), KEHU_OK);         \
	} while (0)

static void test_errcode(void **state)
{
	test_fx *f = *state;
	kehu_customer *c, *o;
	const char *s;
	int64_t i;
	double d;

	OK(kehu_customer_create(&c, f->db, "E"));
	OK(kehu_customer_set_attr_string(c, "s", "v"));
	OK(kehu_customer_set_attr_int(c, "i", 1));
	OK(kehu_customer_set_attr_number(c, "n", 1.5));
	OK(kehu_customer_set_attr_time(c, "t", 1));
	FAILS(f->db, kehu_customer_get_attr_string(c, "s", NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_get_attr_int(c, "i", NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_get_attr_number(c, "n", NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_get_attr_time(c, "t", NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_get_attr_string(c, "i", &s), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_get_attr_int(c, "x", &i), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_get_attr_number(c, NULL, &d), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_foreach_tag(c, NULL, NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_foreach_attr(c, NULL, NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_remove_tag(c, NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_remove_tag(c, "none"), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_remove_attr(c, "none"), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_set_attr_number(c, "n", NAN), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_set_name(c, NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_set_key(c, ""), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_set_kind(c, 9), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_set_referrer(c, -1), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_add_tag(c, NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_create(&o, f->db, "E"), KEHU_EEXIST);
	FAILS(f->db, kehu_customer_create(NULL, f->db, NULL), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_lookup(&o, f->db, 99), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_lookup(NULL, f->db, 1), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_lookup_key(NULL, f->db, "E"), KEHU_EINVAL);
	FAILS(f->db, kehu_customer_lookup_key(&o, f->db, "F"), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_delete(f->db, 99), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_erase(f->db, 99), KEHU_ENOTFOUND);
	FAILS(f->db, kehu_customer_foreach(f->db, NULL, NULL), KEHU_EINVAL);
	OK(kehu_customer_set_referrer(c, 99));
	FAILS(f->db, kehu_customer_save(c), KEHU_EINVAL);
	OK(kehu_customer_set_referrer(c, 0));
	OK(kehu_customer_save(c));
	assert_int_equal(kehu_errcode(f->db), KEHU_OK);
	kehu_customer_free(c);
}

/* A host transaction rolled back takes its customers with it. */
static void test_host_txn(void **state)
{
	test_fx *f = *state;
	kehu_customer *c;
	kehu_id before = new_customer(f->db, "pre");

	OK(kehu_db_begin(f->db));
	OK(kehu_customer_create(&c, f->db, "in-txn"));
	kehu_customer_free(c);
	/* a failing call inside does not end the transaction */
	assert_int_equal(kehu_customer_create(&c, f->db, "pre"), KEHU_EEXIST);
	assert_int_equal(kehu_db_in_transaction(f->db), 1);
	OK(kehu_customer_lookup_key(&c, f->db, "in-txn"));
	OK(kehu_customer_set_name(c, "named"));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
	OK(kehu_db_rollback(f->db));
	assert_int_equal(kehu_customer_lookup_key(&c, f->db, "in-txn"),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_db_customer_count(f->db), 1);
	OK(kehu_customer_lookup(&c, f->db, before));
	kehu_customer_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_fx_setup, test_fx_teardown)
		T(test_create_defaults),
		T(test_create_key_rules),
		T(test_lookup),
		T(test_lookup_with_id_gaps),
		T(test_enums),
		T(test_name),
		T(test_referrer),
		T(test_deleted_referrer),
		T(test_tags),
		T(test_attrs),
		T(test_attr_limits),
		T(test_attr_foreach_order),
		T(test_utf8),
		T(test_save_round_trip),
		T(test_conflict),
		T(test_change_key),
		T(test_delete),
		T(test_erase),
		T(test_foreach),
		T(test_null_args),
		cmocka_unit_test(test_zombie),
		T(test_host_txn),
		T(test_errcode),
#undef T
	};

	return cmocka_run_group_tests_name("customer", tests, NULL, NULL);
}
