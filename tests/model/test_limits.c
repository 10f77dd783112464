/*
 * tests/model/test_limits: every documented limit (doc/limits.md) at its
 * edge.  At the limit the call works; one past it gives the documented
 * error, and the db is exactly as before (a canonical snapshot of the
 * whole db through the public API is compared) and so is the handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/hot.h"
#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)

/* 2024-01-01, as `now` for snapshots and metrics */
#define NOW (T0 + 30 * DAY)

static char *repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* A snapshot of the whole db; the caller frees it. */
static test_text snap(kehu_db *db)
{
	test_text t = {NULL, 0, 0};

	OK(test_snapshot(db, NOW, &t));
	return t;
}

/* Fails the test unless the db is as it was when `before` was taken. */
static void assert_same(kehu_db *db, const test_text *before)
{
	test_text now = snap(db);

	assert_int_equal(now.len, before->len);
	assert_memory_equal(now.data, before->data, now.len);
	test_text_free(&now);
}

/* assert_same, then frees `before`. */
static void assert_unchanged(kehu_db *db, test_text *before)
{
	assert_same(db, before);
	test_text_free(before);
}

static kehu_customer *saved_customer(kehu_db *db, const char *key)
{
	kehu_customer *c;

	OK(kehu_customer_create(&c, db, key));
	return c;
}

/* ---- strings of a customer ---- */

static void test_external_key(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = (kehu_customer *)&c;
	char *k256 = repeat('k', KEHU_MAX_KEY_BYTES);
	char *k257 = repeat('k', KEHU_MAX_KEY_BYTES + 1);
	/* the limit counts bytes, not characters: 128 two-byte letters */
	char u256[KEHU_MAX_KEY_BYTES + 2];
	test_text before;
	int i;

	for (i = 0; i < KEHU_MAX_KEY_BYTES / 2; i++)
		memcpy(u256 + 2 * i, "\xc3\xa9", 2); /* e acute */
	u256[KEHU_MAX_KEY_BYTES] = '\0';

	before = snap(f->db);
	assert_int_equal(kehu_customer_create(&c, f->db, k257), KEHU_EINVAL);
	assert_null(c);
	assert_msg_has(f->db, "external key");
	assert_unchanged(f->db, &before);
	assert_int_equal(kehu_db_customer_count(f->db), 0);

	c = saved_customer(f->db, k256);
	/* the refused create used no id */
	assert_int_equal(kehu_customer_get_id(c), 1);
	assert_string_equal(kehu_customer_get_key(c), k256);
	kehu_customer_free(c);
	c = saved_customer(f->db, u256);
	kehu_customer_free(c);
	/* one byte more than 256, though only 129 characters */
	u256[KEHU_MAX_KEY_BYTES] = 'a';
	u256[KEHU_MAX_KEY_BYTES + 1] = '\0';
	before = snap(f->db);
	assert_int_equal(kehu_customer_create(&c, f->db, u256), KEHU_EINVAL);
	assert_unchanged(f->db, &before);

	/* setting a too long key on a handle keeps the old one */
	c = saved_customer(f->db, "short");
	assert_int_equal(kehu_customer_set_key(c, k257), KEHU_EINVAL);
	assert_string_equal(kehu_customer_get_key(c), "short");
	OK(kehu_customer_set_key(c, "k256-owner"));
	kehu_customer_free(c);
	assert_int_equal(kehu_db_customer_count(f->db), 3);
	free(k256);
	free(k257);
}

static void test_name(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = saved_customer(f->db, NULL);
	char *n1024 = repeat('n', KEHU_MAX_NAME_BYTES);
	char *n1025 = repeat('n', KEHU_MAX_NAME_BYTES + 1);
	test_text before;

	OK(kehu_customer_set_name(c, n1024));
	OK(kehu_customer_save(c));
	before = snap(f->db);
	assert_int_equal(kehu_customer_set_name(c, n1025), KEHU_EINVAL);
	assert_msg_has(f->db, "name");
	assert_string_equal(kehu_customer_get_name(c), n1024);
	OK(kehu_customer_save(c));
	assert_unchanged(f->db, &before);
	kehu_customer_free(c);
	free(n1024);
	free(n1025);
}

static void test_tags(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = saved_customer(f->db, NULL);
	char *t64 = repeat('t', KEHU_MAX_TAG_BYTES);
	char *t65 = repeat('t', KEHU_MAX_TAG_BYTES + 1);
	char name[16];
	test_text before;
	int i;

	assert_int_equal(kehu_customer_add_tag(c, t65), KEHU_EINVAL);
	assert_int_equal(kehu_customer_tag_count(c), 0);
	OK(kehu_customer_add_tag(c, t64));
	for (i = 1; i < KEHU_MAX_TAGS; i++) {
		snprintf(name, sizeof name, "tag%02d", i);
		OK(kehu_customer_add_tag(c, name));
	}
	assert_int_equal(kehu_customer_tag_count(c), KEHU_MAX_TAGS);
	OK(kehu_customer_save(c));

	before = snap(f->db);
	assert_int_equal(kehu_customer_add_tag(c, "one-more"), KEHU_EINVAL);
	assert_msg_has(f->db, "64 tags");
	assert_int_equal(kehu_customer_tag_count(c), KEHU_MAX_TAGS);
	assert_int_equal(kehu_customer_has_tag(c, "one-more"), 0);
	OK(kehu_customer_save(c));
	assert_unchanged(f->db, &before);
	kehu_customer_free(c);
	free(t64);
	free(t65);
}

static void test_attributes(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = saved_customer(f->db, NULL);
	char *n64 = repeat('a', KEHU_MAX_ATTR_NAME_BYTES);
	char *n65 = repeat('a', KEHU_MAX_ATTR_NAME_BYTES + 1);
	char *v4096 = repeat('v', KEHU_MAX_ATTR_VALUE_BYTES);
	char *v4097 = repeat('v', KEHU_MAX_ATTR_VALUE_BYTES + 1);
	const char *s = NULL;
	char name[16];
	test_text before;
	int i;

	assert_int_equal(kehu_customer_set_attr_int(c, n65, 1), KEHU_EINVAL);
	assert_msg_has(f->db, "attribute name");
	OK(kehu_customer_set_attr_string(c, n64, v4096));
	assert_int_equal(kehu_customer_set_attr_string(c, n64, v4097),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "attribute value");
	OK(kehu_customer_get_attr_string(c, n64, &s));
	assert_string_equal(s, v4096);

	for (i = 1; i < KEHU_MAX_ATTRS; i++) {
		snprintf(name, sizeof name, "attr%03d", i);
		OK(kehu_customer_set_attr_int(c, name, i));
	}
	assert_int_equal(kehu_customer_attr_count(c), KEHU_MAX_ATTRS);
	OK(kehu_customer_save(c));

	before = snap(f->db);
	assert_int_equal(kehu_customer_set_attr_int(c, "attr999", 1),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "256 attributes");
	assert_int_equal(kehu_customer_attr_count(c), KEHU_MAX_ATTRS);
	OK(kehu_customer_save(c));
	assert_unchanged(f->db, &before);
	/* at the limit, an existing attribute can still be replaced */
	OK(kehu_customer_set_attr_int(c, "attr001", 100));
	assert_int_equal(kehu_customer_attr_count(c), KEHU_MAX_ATTRS);
	kehu_customer_free(c);
	free(n64);
	free(n65);
	free(v4096);
	free(v4097);
}

/* ---- interactions ---- */

static void test_interaction_strings(void **state)
{
	test_fx *f = *state;
	kehu_id id = test_new_customer(f->db);
	kehu_interaction *ix;
	char *c64 = repeat('c', KEHU_MAX_CHANNEL_BYTES);
	char *c65 = repeat('c', KEHU_MAX_CHANNEL_BYTES + 1);
	char *n4096 = repeat('n', KEHU_MAX_NOTE_BYTES);
	char *n4097 = repeat('n', KEHU_MAX_NOTE_BYTES + 1);
	char name[16];
	int i;

	OK(kehu_interaction_new(&ix, f->db, id, KEHU_IX_CALL, T0));
	OK(kehu_interaction_set_channel(ix, c64));
	assert_int_equal(kehu_interaction_set_channel(ix, c65), KEHU_EINVAL);
	assert_msg_has(f->db, "channel");
	OK(kehu_interaction_set_note(ix, n4096));
	assert_int_equal(kehu_interaction_set_note(ix, n4097), KEHU_EINVAL);
	assert_msg_has(f->db, "note");
	for (i = 0; i < KEHU_MAX_ATTRS; i++) {
		snprintf(name, sizeof name, "attr%03d", i);
		OK(kehu_interaction_set_attr_int(ix, name, i));
	}
	assert_int_equal(kehu_interaction_set_attr_int(ix, "attr999", 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_attr_count(ix), KEHU_MAX_ATTRS);
	OK(kehu_interaction_record(ix));
	assert_string_equal(kehu_interaction_get_channel(ix), c64);
	assert_string_equal(kehu_interaction_get_note(ix), n4096);
	kehu_interaction_free(ix);
	free(c64);
	free(c65);
	free(n4096);
	free(n4097);
}

static void test_time_range(void **state)
{
	test_fx *f = *state;
	kehu_id id = test_new_customer(f->db);
	kehu_interaction *ix = (kehu_interaction *)&ix;
	const int64_t last = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */

	assert_int_equal(kehu_interaction_new(&ix, f->db, id, KEHU_IX_CALL,
	                                      -1), KEHU_EINVAL);
	assert_null(ix);
	assert_int_equal(kehu_interaction_new(&ix, f->db, id, KEHU_IX_CALL,
	                                      last + 1), KEHU_EINVAL);
	assert_null(ix);
	OK(kehu_interaction_new(&ix, f->db, id, KEHU_IX_CALL, 0));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
	OK(kehu_interaction_new(&ix, f->db, id, KEHU_IX_CALL, last));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

static int record(kehu_db *db, kehu_id id, int32_t type, int64_t time,
                  int64_t amount)
{
	kehu_interaction *ix;
	int rc;

	OK(kehu_interaction_new(&ix, db, id, type, time));
	OK(kehu_interaction_set_amount(ix, amount));
	rc = kehu_interaction_record(ix);
	kehu_interaction_free(ix);
	return rc;
}

/* Interactions per customer are counted in 32 bits.  Recording four
 * billion of them takes hours, so the count is moved next to its limit
 * in the hot table (white box), as if they had been recorded. */
static void test_interactions_per_customer(void **state)
{
	test_fx *f = *state;
	kehu_id id = test_new_customer(f->db);
	kehu__hot *h = kehu__hot_find_live(&f->db->customers, id);
	kehu_metrics m;
	test_text before;

	assert_non_null(h);
	h->m.interactions = UINT32_MAX - 1;
	OK(record(f->db, id, KEHU_IX_VISIT, T0, 0));
	OK(kehu_metrics_init(&m, KEHU_METRICS_VERSION));
	OK(kehu_metrics_read(&m, f->db, id, NOW));
	assert_int_equal(m.interactions, (int64_t)UINT32_MAX);

	before = snap(f->db);
	assert_int_equal(record(f->db, id, KEHU_IX_VISIT, T0 + DAY, 0),
	                 KEHU_ERANGE);
	assert_msg_has(f->db, "overflow");
	assert_unchanged(f->db, &before);
	OK(kehu_metrics_read(&m, f->db, id, NOW));
	assert_int_equal(m.interactions, (int64_t)UINT32_MAX);
	/* ids 1 (customer) and 2 (interaction) are used; the refused
	 * interaction took none */
	assert_int_equal(test_new_customer(f->db), 3);
}

/* Money sums are int64 minor units and never wrap. */
static void test_money_sums(void **state)
{
	test_fx *f = *state;
	kehu_id id = test_new_customer(f->db);
	kehu_interaction *ix;
	kehu_metrics m;
	test_text before;

	OK(record(f->db, id, KEHU_IX_PURCHASE, T0, INT64_MAX - 1));
	OK(record(f->db, id, KEHU_IX_PURCHASE, T0 + DAY, 1));
	OK(kehu_metrics_init(&m, KEHU_METRICS_VERSION));
	OK(kehu_metrics_read(&m, f->db, id, NOW));
	assert_true(m.sales == INT64_MAX);

	before = snap(f->db);
	assert_int_equal(record(f->db, id, KEHU_IX_PURCHASE, T0 + 2 * DAY, 1),
	                 KEHU_ERANGE);
	assert_unchanged(f->db, &before);
	OK(kehu_metrics_read(&m, f->db, id, NOW));
	assert_true(m.sales == INT64_MAX);
	assert_int_equal(m.orders, 2);
	/* a refund is a separate sum and still fits */
	OK(record(f->db, id, KEHU_IX_REFUND, T0 + 2 * DAY, 1));

	/* amounts and costs are never negative: a correction is a refund */
	OK(kehu_interaction_new(&ix, f->db, id, KEHU_IX_PURCHASE, T0));
	assert_int_equal(kehu_interaction_set_amount(ix, -1), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_cost(ix, -1), KEHU_EINVAL);
	OK(kehu_interaction_set_amount(ix, INT64_MAX));
	kehu_interaction_free(ix);
}

/* ---- accounts ---- */

static void test_members(void **state)
{
	test_fx *f = *state;
	kehu_id payer = test_new_customer(f->db);
	kehu_id acc = test_new_account(f->db, payer);
	kehu_account *a;
	kehu_id extra;
	test_text before;
	int i;

	OK(kehu_account_lookup(&a, f->db, acc));
	for (i = (int)kehu_account_member_count(a); i < KEHU_MAX_MEMBERS; i++)
		OK(kehu_account_add_member(a, test_new_customer(f->db),
		                           KEHU_ROLE_USER));
	assert_int_equal(kehu_account_member_count(a), KEHU_MAX_MEMBERS);
	OK(kehu_account_save(a));

	extra = test_new_customer(f->db);
	before = snap(f->db);
	assert_int_equal(kehu_account_add_member(a, extra, KEHU_ROLE_USER),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "1024 members");
	assert_int_equal(kehu_account_member_count(a), KEHU_MAX_MEMBERS);
	OK(kehu_account_save(a));
	assert_unchanged(f->db, &before);
	kehu_account_free(a);
}

/* ---- customers per db: memory is the only bound ---- */

static void test_customers_bounded_by_memory(void **state)
{
	test_fx *f = *state;
	kehu_customer *c = (kehu_customer *)&c;
	test_text before;
	int64_t n;
	long k;

	(void)test_new_customer(f->db);
	n = kehu_db_customer_count(f->db);
	before = snap(f->db);
	/* the allocator refuses each allocation in turn: every refusal is
	 * KEHU_ENOMEM and leaves the db as it was */
	for (k = 1; k < 64; k++) {
		int rc;

		f->a.count = 0;
		f->a.fail_at = k;
		f->a.armed = 1;
		rc = kehu_customer_create(&c, f->db, "late");
		f->a.armed = 0;
		f->a.fail_at = 0;
		if (rc == KEHU_OK) {
			kehu_customer_free(c);
			break;
		}
		assert_int_equal(rc, KEHU_ENOMEM);
		assert_null(c);
		assert_int_equal(kehu_db_customer_count(f->db), n);
		assert_same(f->db, &before);
	}
	assert_true(k > 1 && k < 64);
	assert_int_equal(kehu_db_customer_count(f->db), n + 1);
	test_text_free(&before);
}

/* ---- rule sets ---- */

static int compile(kehu_db *db, const char *text, size_t len)
{
	kehu_rules *r = (kehu_rules *)&r;
	int rc = kehu_rules_compile(&r, db, text, len);

	if (rc != KEHU_OK)
		assert_null(r);
	kehu_rules_free(r);
	return rc;
}

static void test_rules_text(void **state)
{
	test_fx *f = *state;
	const char *head = "ruleset \"big\" version 1\nscore s = 1\n";
	size_t max = KEHU_MAX_RULES_TEXT;
	char *text = malloc(max + 2);

	assert_non_null(text);
	/* blanks pad the text to exactly 1 MiB */
	memset(text, ' ', max + 1);
	memcpy(text, head, strlen(head));
	text[max + 1] = '\0';
	OK(compile(f->db, text, max));
	assert_int_equal(compile(f->db, text, max + 1), KEHU_EINVAL);
	assert_msg_has(f->db, "1 MiB");
	free(text);
}

/* "score s = " then n opening parentheses, 1, n closing ones. */
static int nested(kehu_db *db, int n)
{
	char text[256];
	int len = snprintf(text, sizeof text,
	                   "ruleset \"deep\" version 1\nscore s = ");
	int i;

	for (i = 0; i < n; i++)
		text[len++] = '(';
	text[len++] = '1';
	for (i = 0; i < n; i++)
		text[len++] = ')';
	return compile(db, text, (size_t)len);
}

static void test_rules_depth(void **state)
{
	test_fx *f = *state;

	/* the expression is the first level, each parenthesis one more */
	OK(nested(f->db, KEHU_MAX_RULES_DEPTH - 1));
	assert_int_equal(nested(f->db, KEHU_MAX_RULES_DEPTH), KEHU_ECOMPILE);
	assert_msg_has(f->db, "nest too deep");
}

/* n score items */
static int items(kehu_db *db, int n)
{
	size_t cap = 64 + (size_t)n * 32, len;
	char *text = malloc(cap);
	int i, rc;

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "ruleset \"wide\" version 1\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		                        "score s%d = %d\n", i, i);
	rc = compile(db, text, len);
	free(text);
	return rc;
}

static void test_rules_items(void **state)
{
	test_fx *f = *state;

	OK(items(f->db, KEHU_MAX_RULES_ITEMS));
	assert_int_equal(items(f->db, KEHU_MAX_RULES_ITEMS + 1),
	                 KEHU_ECOMPILE);
	assert_msg_has(f->db, "at most 256");
}

/* "score s = 1 + 1 + ... + 1" with n operands */
static int chain(kehu_db *db, int n)
{
	size_t cap = 64 + (size_t)n * 4, len;
	char *text = malloc(cap);
	int i, rc;

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "ruleset \"long\" version 1\n"
	                                  "score s = 1");
	for (i = 1; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, " + 1");
	rc = compile(db, text, len);
	free(text);
	return rc;
}

/* An operator chain is a tree as high as it is long: at most 512
 * operators (513 operands) in one expression. */
static void test_rules_chain(void **state)
{
	test_fx *f = *state;

	OK(chain(f->db, 513));
	assert_int_equal(chain(f->db, 514), KEHU_ECOMPILE);
	assert_msg_has(f->db, "too long");
}

/* ---- stored names ---- */

static void test_model_name(void **state)
{
	test_fx *f = *state;
	kehu_model *m = (kehu_model *)&m;
	char *n256 = repeat('m', 256);
	char *n257 = repeat('m', 257);

	/* a 256-byte name is looked up (and is not there) ... */
	assert_int_equal(kehu_model_load(&m, f->db, n256), KEHU_ENOTFOUND);
	assert_null(m);
	/* ... a 257-byte one is refused before */
	assert_int_equal(kehu_model_load(&m, f->db, n257), KEHU_EINVAL);
	assert_msg_has(f->db, "model name");
	free(n256);
	free(n257);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, test_fx_setup, \
                                             test_fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_external_key),
		T(test_name),
		T(test_tags),
		T(test_attributes),
		T(test_interaction_strings),
		T(test_time_range),
		T(test_interactions_per_customer),
		T(test_money_sums),
		T(test_members),
		T(test_customers_bounded_by_memory),
		T(test_rules_text),
		T(test_rules_depth),
		T(test_rules_items),
		T(test_rules_chain),
		T(test_model_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
