/*
 * tests/model/test_account: accounts (model layer) through the public
 * API: create with a payer, members and roles, set_payer, optimistic
 * saves, the membership index that keeps members from being deleted,
 * delete, account metrics, iteration, NULL armor and zombie handles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/keys.h"
#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)

typedef struct members {
	kehu_id id[16];
	int32_t role[16];
	int n;
	int stop_at;
} members;

static int collect_member(kehu_id cid, int32_t role, void *ud)
{
	members *m = ud;

	m->id[m->n] = cid;
	m->role[m->n] = role;
	m->n++;
	return m->stop_at && m->n == m->stop_at ? 3 : 0;
}

/* ---- create ----------------------------------------------------------- */

static void test_create(void **state)
{
	test_fx *f = *state;
	kehu_account *a = (kehu_account *)&a;
	kehu_id payer = test_new_customer(f->db);
	kehu_id gone = test_new_customer(f->db);
	kehu_id next, aid;

	OK(kehu_customer_delete(f->db, gone));
	assert_int_equal(kehu_account_create(&a, f->db, 999), KEHU_ENOTFOUND);
	assert_null(a);
	assert_msg_has(f->db, "999");
	assert_int_equal(kehu_account_create(&a, f->db, gone),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_account_create(&a, f->db, 0), KEHU_EINVAL);
	assert_int_equal(kehu_account_create(&a, f->db, -3), KEHU_EINVAL);
	assert_msg_has(f->db, "-3");
	assert_int_equal(kehu_db_account_count(f->db), 0);

	OK(kehu_account_create(&a, f->db, payer));
	assert_true(kehu_account_get_id(a) > gone);
	assert_int_equal(kehu_account_get_payer(a), payer);
	assert_string_equal(kehu_account_get_name(a), "");
	assert_int_equal(kehu_account_member_count(a), 1);
	assert_int_equal(kehu_account_get_member_role(a, payer),
	                 KEHU_ROLE_PAYER);
	assert_int_equal(kehu_db_account_count(f->db), 1);
	/* an account is not a customer; ids are one sequence */
	aid = kehu_account_get_id(a);
	kehu_account_free(a);
	assert_int_equal(kehu_account_create(&a, f->db, aid), KEHU_ENOTFOUND);
	OK(kehu_account_lookup(&a, f->db, aid));
	next = test_new_customer(f->db);
	assert_true(next > kehu_account_get_id(a));
	kehu_account_free(a);
	a = (kehu_account *)&a;
	assert_int_equal(kehu_account_lookup(&a, f->db, payer),
	                 KEHU_ENOTFOUND);
	assert_null(a);
	assert_int_equal(kehu_account_lookup(&a, f->db, 12345),
	                 KEHU_ENOTFOUND);
	assert_msg_has(f->db, "12345");
}

static void test_members(void **state)
{
	test_fx *f = *state;
	kehu_account *a;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id dm = test_new_customer(f->db), inf = test_new_customer(f->db);
	members m;

	OK(kehu_account_create(&a, f->db, p));
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_add_member(a, dm, KEHU_ROLE_DECISION_MAKER));
	OK(kehu_account_add_member(a, inf, KEHU_ROLE_INFLUENCER));
	assert_int_equal(kehu_account_member_count(a), 4);
	assert_int_equal(kehu_account_get_member_role(a, u), KEHU_ROLE_USER);
	assert_int_equal(kehu_account_get_member_role(a, dm),
	                 KEHU_ROLE_DECISION_MAKER);
	assert_int_equal(kehu_account_get_member_role(a, inf),
	                 KEHU_ROLE_INFLUENCER);
	assert_int_equal(kehu_account_get_member_role(a, 777), 0);

	assert_int_equal(kehu_account_add_member(a, u, KEHU_ROLE_INFLUENCER),
	                 KEHU_EEXIST);
	assert_msg_has(f->db, "already");
	assert_int_equal(kehu_account_get_member_role(a, u), KEHU_ROLE_USER);
	assert_int_equal(kehu_account_add_member(a, p, KEHU_ROLE_USER),
	                 KEHU_EEXIST);
	/* the payer role belongs to the payer alone: set_payer moves it */
	assert_int_equal(kehu_account_add_member(a, 50, KEHU_ROLE_PAYER),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "set_payer");
	assert_int_equal(kehu_account_get_member_role(a, 50), 0);
	assert_int_equal(kehu_account_add_member(a, 50, 0), KEHU_EINVAL);
	assert_int_equal(kehu_account_add_member(a, 50, 5), KEHU_EINVAL);
	assert_int_equal(kehu_account_add_member(a, 50, -1), KEHU_EINVAL);
	assert_int_equal(kehu_account_add_member(a, 0, KEHU_ROLE_USER),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_account_add_member(a, -2, KEHU_ROLE_USER),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_account_member_count(a), 4);

	memset(&m, 0, sizeof m);
	OK(kehu_account_foreach_member(a, collect_member, &m));
	assert_int_equal(m.n, 4);
	assert_int_equal(m.id[0], p);
	assert_int_equal(m.role[0], KEHU_ROLE_PAYER);
	assert_int_equal(m.id[1], u);
	assert_int_equal(m.id[2], dm);
	assert_int_equal(m.id[3], inf);
	assert_int_equal(m.role[3], KEHU_ROLE_INFLUENCER);
	memset(&m, 0, sizeof m);
	m.stop_at = 2;
	assert_int_equal(kehu_account_foreach_member(a, collect_member, &m),
	                 3);
	assert_int_equal(m.n, 2);
	assert_int_equal(kehu_account_foreach_member(a, NULL, &m),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_errcode(f->db), KEHU_EINVAL);
	assert_msg_has(f->db, "cb");

	OK(kehu_account_remove_member(a, dm));
	assert_int_equal(kehu_account_member_count(a), 3);
	assert_int_equal(kehu_account_get_member_role(a, dm), 0);
	assert_int_equal(kehu_account_remove_member(a, dm), KEHU_ENOTFOUND);
	assert_int_equal(kehu_account_remove_member(a, 9999), KEHU_ENOTFOUND);
	assert_int_equal(kehu_account_remove_member(a, p), KEHU_EBUSY);
	assert_msg_has(f->db, "payer");
	assert_int_equal(kehu_account_member_count(a), 3);
	memset(&m, 0, sizeof m);
	OK(kehu_account_foreach_member(a, collect_member, &m));
	assert_int_equal(m.id[0], p);
	assert_int_equal(m.id[1], u);
	assert_int_equal(m.id[2], inf);
	/* re-adding with another role is how a role changes */
	OK(kehu_account_remove_member(a, u));
	OK(kehu_account_add_member(a, u, KEHU_ROLE_DECISION_MAKER));
	assert_int_equal(kehu_account_get_member_role(a, u),
	                 KEHU_ROLE_DECISION_MAKER);
	OK(kehu_account_save(a));
	kehu_account_free(a);
}

static void test_member_limit(void **state)
{
	test_fx *f = *state;
	kehu_account *a;
	kehu_id p = test_new_customer(f->db);
	kehu_id i;

	OK(kehu_account_create(&a, f->db, p));
	for (i = 1; kehu_account_member_count(a) < KEHU_MAX_MEMBERS; i++)
		OK(kehu_account_add_member(a, 1000 + i, KEHU_ROLE_USER));
	assert_int_equal(kehu_account_add_member(a, 5000, KEHU_ROLE_USER),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "1024");
	assert_int_equal(kehu_account_set_payer(a, 5000), KEHU_EINVAL);
	assert_int_equal(kehu_account_get_payer(a), p);
	assert_int_equal(kehu_account_member_count(a), KEHU_MAX_MEMBERS);
	/* an existing member can still become the payer */
	OK(kehu_account_set_payer(a, 1001));
	assert_int_equal(kehu_account_member_count(a), KEHU_MAX_MEMBERS);
	kehu_account_free(a);
}

static void test_set_payer(void **state)
{
	test_fx *f = *state;
	kehu_account *a, *r;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id x = test_new_customer(f->db);
	members m;

	OK(kehu_account_create(&a, f->db, p));
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	assert_int_equal(kehu_account_set_payer(a, 0), KEHU_EINVAL);
	assert_int_equal(kehu_account_set_payer(a, -1), KEHU_EINVAL);
	assert_int_equal(kehu_account_get_payer(a), p);

	/* an existing member becomes the payer; the old one a user */
	OK(kehu_account_set_payer(a, u));
	assert_int_equal(kehu_account_get_payer(a), u);
	assert_int_equal(kehu_account_get_member_role(a, u), KEHU_ROLE_PAYER);
	assert_int_equal(kehu_account_get_member_role(a, p), KEHU_ROLE_USER);
	assert_int_equal(kehu_account_member_count(a), 2);
	/* the old payer may now leave; the new one may not */
	assert_int_equal(kehu_account_remove_member(a, u), KEHU_EBUSY);
	OK(kehu_account_remove_member(a, p));
	assert_int_equal(kehu_account_member_count(a), 1);

	/* a non-member becomes a member with role payer */
	OK(kehu_account_set_payer(a, x));
	assert_int_equal(kehu_account_member_count(a), 2);
	assert_int_equal(kehu_account_get_member_role(a, x), KEHU_ROLE_PAYER);
	assert_int_equal(kehu_account_get_member_role(a, u), KEHU_ROLE_USER);
	memset(&m, 0, sizeof m);
	OK(kehu_account_foreach_member(a, collect_member, &m));
	assert_int_equal(m.n, 2);
	assert_int_equal(m.id[0], u);
	assert_int_equal(m.id[1], x);
	/* setting the same payer again changes nothing */
	OK(kehu_account_set_payer(a, x));
	assert_int_equal(kehu_account_member_count(a), 2);
	assert_int_equal(kehu_account_get_member_role(a, x), KEHU_ROLE_PAYER);
	OK(kehu_account_save(a));

	OK(kehu_account_lookup(&r, f->db, kehu_account_get_id(a)));
	assert_int_equal(kehu_account_get_payer(r), x);
	assert_int_equal(kehu_account_get_member_role(r, x), KEHU_ROLE_PAYER);
	assert_int_equal(kehu_account_get_member_role(r, u), KEHU_ROLE_USER);
	assert_int_equal(kehu_account_get_member_role(r, p), 0);
	kehu_account_free(r);

	/* the membership index follows: p is free to go, u and x are not */
	OK(kehu_customer_delete(f->db, p));
	assert_int_equal(kehu_customer_delete(f->db, u), KEHU_EBUSY);
	assert_int_equal(kehu_customer_delete(f->db, x), KEHU_EBUSY);

	/* a payer that does not exist is refused at save */
	OK(kehu_account_set_payer(a, 4242));
	assert_int_equal(kehu_account_save(a), KEHU_ENOTFOUND);
	assert_msg_has(f->db, "4242");
	OK(kehu_account_lookup(&r, f->db, kehu_account_get_id(a)));
	assert_int_equal(kehu_account_get_payer(r), x);
	kehu_account_free(r);
	kehu_account_free(a);
}

static void test_save_round_trip(void **state)
{
	test_fx *f = *state;
	kehu_account *a, *r;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id d = test_new_customer(f->db);
	char *long_name = malloc(1026);
	members m;

	assert_non_null(long_name);
	OK(kehu_account_create(&a, f->db, p));
	OK(kehu_account_set_name(a, "\xe5\x85\xac\xe5\x8f\xb8 Fleet"));
	assert_string_equal(kehu_account_get_name(a),
	                    "\xe5\x85\xac\xe5\x8f\xb8 Fleet");
	assert_int_equal(kehu_account_set_name(a, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_account_set_name(a, "bad\xc0\xaf"), KEHU_EINVAL);
	memset(long_name, 'n', 1025);
	long_name[1025] = '\0';
	assert_int_equal(kehu_account_set_name(a, long_name), KEHU_EINVAL);
	long_name[1024] = '\0';
	OK(kehu_account_set_name(a, long_name));
	OK(kehu_account_set_name(a, "\xe5\x85\xac\xe5\x8f\xb8 Fleet"));
	OK(kehu_account_add_member(a, d, KEHU_ROLE_DECISION_MAKER));
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_save(a));
	OK(kehu_account_save(a)); /* again through the same handle */

	OK(kehu_account_lookup(&r, f->db, kehu_account_get_id(a)));
	assert_int_equal(kehu_account_get_id(r), kehu_account_get_id(a));
	assert_string_equal(kehu_account_get_name(r),
	                    "\xe5\x85\xac\xe5\x8f\xb8 Fleet");
	assert_int_equal(kehu_account_get_payer(r), p);
	memset(&m, 0, sizeof m);
	OK(kehu_account_foreach_member(r, collect_member, &m));
	assert_int_equal(m.n, 3);
	assert_int_equal(m.id[0], p);
	assert_int_equal(m.role[0], KEHU_ROLE_PAYER);
	assert_int_equal(m.id[1], d);
	assert_int_equal(m.role[1], KEHU_ROLE_DECISION_MAKER);
	assert_int_equal(m.id[2], u);
	assert_int_equal(m.role[2], KEHU_ROLE_USER);
	kehu_account_free(r);

	/* unsaved edits stay in the handle; "" clears the name */
	OK(kehu_account_set_name(a, ""));
	assert_string_equal(kehu_account_get_name(a), "");
	OK(kehu_account_lookup(&r, f->db, kehu_account_get_id(a)));
	assert_string_equal(kehu_account_get_name(r),
	                    "\xe5\x85\xac\xe5\x8f\xb8 Fleet");
	kehu_account_free(r);
	OK(kehu_account_save(a));
	OK(kehu_account_lookup(&r, f->db, kehu_account_get_id(a)));
	assert_string_equal(kehu_account_get_name(r), "");
	kehu_account_free(r);
	kehu_account_free(a);
	free(long_name);
}

static void test_conflict(void **state)
{
	test_fx *f = *state;
	kehu_account *a1, *a2, *r;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id v = test_new_customer(f->db);
	kehu_id id = test_new_account(f->db, p);

	OK(kehu_account_lookup(&a1, f->db, id));
	OK(kehu_account_lookup(&a2, f->db, id));
	OK(kehu_account_set_name(a1, "first"));
	OK(kehu_account_add_member(a1, u, KEHU_ROLE_USER));
	OK(kehu_account_save(a1));
	OK(kehu_account_set_name(a2, "second"));
	OK(kehu_account_add_member(a2, v, KEHU_ROLE_USER));
	assert_int_equal(kehu_account_save(a2), KEHU_ECONFLICT);
	assert_int_equal(kehu_errcode(f->db), KEHU_ECONFLICT);
	OK(kehu_account_lookup(&r, f->db, id));
	assert_string_equal(kehu_account_get_name(r), "first");
	assert_int_equal(kehu_account_get_member_role(r, u), KEHU_ROLE_USER);
	assert_int_equal(kehu_account_get_member_role(r, v), 0);
	kehu_account_free(r);
	/* the loser's member was not indexed: v can be deleted */
	OK(kehu_customer_delete(f->db, v));
	assert_int_equal(kehu_customer_delete(f->db, u), KEHU_EBUSY);
	/* the winner saves on */
	OK(kehu_account_set_name(a1, "first again"));
	OK(kehu_account_save(a1));
	assert_int_equal(kehu_account_save(a2), KEHU_ECONFLICT);
	kehu_account_free(a1);
	kehu_account_free(a2);
}

static void test_unknown_member_at_save(void **state)
{
	test_fx *f = *state;
	kehu_account *a, *r;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id gone = test_new_customer(f->db);
	kehu_id id = test_new_account(f->db, p);

	OK(kehu_account_lookup(&a, f->db, id));
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_add_member(a, 9999, KEHU_ROLE_INFLUENCER));
	assert_int_equal(kehu_account_save(a), KEHU_ENOTFOUND);
	assert_msg_has(f->db, "9999");
	/* nothing stored, u not indexed */
	OK(kehu_account_lookup(&r, f->db, id));
	assert_int_equal(kehu_account_member_count(r), 1);
	kehu_account_free(r);
	OK(kehu_customer_delete(f->db, gone));
	OK(kehu_account_remove_member(a, 9999));
	OK(kehu_account_add_member(a, gone, KEHU_ROLE_USER));
	assert_int_equal(kehu_account_save(a), KEHU_ENOTFOUND);
	/* the handle stayed current: fixing it lets the save through */
	OK(kehu_account_remove_member(a, gone));
	OK(kehu_account_save(a));
	OK(kehu_account_lookup(&r, f->db, id));
	assert_int_equal(kehu_account_member_count(r), 2);
	assert_int_equal(kehu_account_get_member_role(r, u), KEHU_ROLE_USER);
	kehu_account_free(r);
	kehu_account_free(a);
}

static void test_member_blocks_delete(void **state)
{
	test_fx *f = *state;
	kehu_account *a, *b;
	kehu_customer *c;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id q = test_new_customer(f->db);

	OK(kehu_account_create(&a, f->db, p));
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_save(a));
	OK(kehu_account_create(&b, f->db, q));
	OK(kehu_account_add_member(b, u, KEHU_ROLE_INFLUENCER));
	OK(kehu_account_save(b));

	assert_int_equal(kehu_customer_delete(f->db, u), KEHU_EBUSY);
	assert_msg_has(f->db, "account");
	assert_int_equal(kehu_customer_delete(f->db, p), KEHU_EBUSY);
	OK(kehu_customer_lookup(&c, f->db, u));
	kehu_customer_free(c);
	assert_int_equal(kehu_db_customer_count(f->db), 3);

	/* removed from one account, still in the other */
	OK(kehu_account_remove_member(a, u));
	OK(kehu_account_save(a));
	assert_int_equal(kehu_customer_delete(f->db, u), KEHU_EBUSY);
	OK(kehu_account_remove_member(b, u));
	OK(kehu_account_save(b));
	OK(kehu_customer_delete(f->db, u));
	assert_int_equal(kehu_customer_lookup(&c, f->db, u), KEHU_ENOTFOUND);

	/* the payer is freed by deleting the account */
	OK(kehu_account_delete(f->db, kehu_account_get_id(a)));
	OK(kehu_customer_delete(f->db, p));
	assert_int_equal(kehu_customer_delete(f->db, q), KEHU_EBUSY);
	kehu_account_free(a);
	kehu_account_free(b);
}

/* Whether the store holds any key in [prefix id, prefix id+1). */
static int has_keys(kehu_storage *vt, uint8_t prefix, kehu_id id);

static int count_visit(const void *k, size_t kl, const void *v, size_t vl,
                       void *ud)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)ud)++;
	return 0;
}

static int has_keys(kehu_storage *vt, uint8_t prefix, kehu_id id)
{
	unsigned char s[9], e[9];
	int n = 0, i;

	s[0] = e[0] = prefix;
	for (i = 0; i < 8; i++) {
		s[1 + i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
		e[1 + i] = (unsigned char)((uint64_t)(id + 1) >> (56 - 8 * i));
	}
	OK(vt->scan(s, 9, e, 9, count_visit, &n, vt->user_data));
	return n;
}

static void record_ix(kehu_db *db, kehu_id cust, kehu_id acct, int32_t type,
                      int64_t t, int64_t amount, int64_t cost)
{
	kehu_interaction *ix;

	OK(kehu_interaction_new(&ix, db, cust, type, t));
	OK(kehu_interaction_set_account(ix, acct));
	OK(kehu_interaction_set_amount(ix, amount));
	OK(kehu_interaction_set_cost(ix, cost));
	if (type == KEHU_IX_FEEDBACK)
		OK(kehu_interaction_set_satisfaction(ix, 5));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

static void test_delete(void **state)
{
	test_alloc al;
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db *db;
	kehu_account *a, *stale, *r;
	kehu_interaction *ix;
	kehu_history *h;
	const kehu_interaction *got;
	kehu_metrics m;
	kehu_id p, u, id, other;
	uint64_t base;
	int n;

	(void)state;
	memset(&al, 0, sizeof al);
	OK(kehu_storage_memory_new(&mem, test_alloc_fn, &al));
	OK(kehu_storage_memory_get_vtable(mem, &vt));
	OK(test_open(&db, &al, &vt));
	p = test_new_customer(db);
	u = test_new_customer(db);
	other = test_new_account(db, p);
	base = kehu_storage_memory_count(mem);

	OK(kehu_account_create(&a, db, p));
	id = kehu_account_get_id(a);
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_set_name(a, "to delete"));
	OK(kehu_account_save(a));
	kehu_account_free(a);
	assert_int_equal(kehu_storage_memory_count(mem), base + 3);
	OK(kehu_account_delete(db, id));
	assert_int_equal(kehu_storage_memory_count(mem), base);
	assert_int_equal(kehu_db_account_count(db), 1);

	/* with metrics and day buckets */
	OK(kehu_account_create(&a, db, p));
	id = kehu_account_get_id(a);
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_save(a));
	kehu_account_free(a);
	record_ix(db, p, id, KEHU_IX_PURCHASE, T0, 1000, 10);
	record_ix(db, u, id, KEHU_IX_PURCHASE, T0 + 3 * DAY, 500, 0);
	record_ix(db, u, id, KEHU_IX_COMPLAINT, T0 + 4 * DAY, 0, 0);
	record_ix(db, u, other, KEHU_IX_REFUND, T0 + 5 * DAY, 50, 0);
	assert_true(has_keys(&vt, 'D', id) > 0);
	assert_true(has_keys(&vt, 'M', id) > 0);
	OK(kehu_account_lookup(&stale, db, id));

	OK(kehu_account_delete(db, id));
	assert_int_equal(has_keys(&vt, 'A', id), 0);
	assert_int_equal(has_keys(&vt, 'D', id), 0);
	assert_int_equal(has_keys(&vt, 'M', id), 0);
	assert_int_equal(has_keys(&vt, 'P', p), 1); /* still in `other` */
	assert_int_equal(has_keys(&vt, 'P', u), 0);
	assert_true(has_keys(&vt, 'D', other) > 0);
	assert_int_equal(kehu_account_lookup(&r, db, id), KEHU_ENOTFOUND);
	assert_null(r);
	assert_int_equal(kehu_account_delete(db, id), KEHU_ENOTFOUND);
	assert_int_equal(kehu_account_delete(db, p), KEHU_ENOTFOUND);
	assert_int_equal(kehu_account_delete(db, 0), KEHU_ENOTFOUND);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, db, id, T0), KEHU_ENOTFOUND);
	OK(kehu_account_set_name(stale, "back"));
	assert_int_equal(kehu_account_save(stale), KEHU_ENOTFOUND);
	assert_msg_has(db, "deleted");
	kehu_account_free(stale);
	assert_int_equal(kehu_db_account_count(db), 1);

	/* the interactions stay in the customers' histories */
	OK(kehu_history_new(&h, db, u, 0, INT64_MAX, 0));
	for (n = 0; kehu_history_next(h, &got) == KEHU_OK; n++)
		if (n < 2)
			assert_int_equal(kehu_interaction_get_account(got),
			                 id);
	assert_int_equal(n, 3);
	kehu_history_free(h);
	OK(kehu_metrics_read(&m, db, u, T0 + 10 * DAY));
	assert_int_equal(m.sales, 500);
	assert_int_equal(m.interactions, 3);
	/* but new ones cannot name the deleted account */
	OK(kehu_interaction_new(&ix, db, u, KEHU_IX_VISIT, T0 + 6 * DAY));
	OK(kehu_interaction_set_account(ix, id));
	assert_int_equal(kehu_interaction_record(ix), KEHU_ENOTFOUND);
	kehu_interaction_free(ix);
	/* u is free to go now */
	OK(kehu_customer_delete(db, u));

	/* ids are not reused after a reopen either */
	kehu_db_close(db);
	OK(test_open(&db, &al, &vt));
	assert_int_equal(kehu_db_account_count(db), 1);
	assert_int_equal(kehu_account_lookup(&r, db, id), KEHU_ENOTFOUND);
	OK(kehu_account_create(&a, db, p));
	assert_true(kehu_account_get_id(a) > id);
	kehu_account_free(a);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
	assert_int_equal(al.live_bytes, 0);
	assert_int_equal(al.bad_osize, 0);
}

/* ---- metrics ---------------------------------------------------------- */

static void test_metrics(void **state)
{
	test_fx *f = *state;
	kehu_account *a;
	kehu_metrics m;
	kehu_id p = test_new_customer(f->db), u = test_new_customer(f->db);
	kehu_id outsider = test_new_customer(f->db);
	kehu_id acct, ix_id;
	kehu_interaction *ix;

	OK(kehu_account_create(&a, f->db, p));
	acct = kehu_account_get_id(a);
	OK(kehu_account_add_member(a, u, KEHU_ROLE_USER));
	OK(kehu_account_save(a));
	kehu_account_free(a);

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	OK(kehu_metrics_read(&m, f->db, acct, T0));
	assert_int_equal(m.interactions, 0);
	assert_int_equal(m.first_purchase, -1);
	assert_int_equal(m.last_contact, -1);
	assert_int_equal(m.days_since_last_contact, -1);

	record_ix(f->db, p, acct, KEHU_IX_PURCHASE, T0 + 10 * 3600, 1000, 100);
	record_ix(f->db, u, acct, KEHU_IX_PURCHASE, T0 + 12 * 3600, 500, 50);
	record_ix(f->db, p, 0, KEHU_IX_PURCHASE, T0 + 13 * 3600, 200, 0);
	record_ix(f->db, u, acct, KEHU_IX_REFUND, T0 + DAY + 60, 100, 0);
	record_ix(f->db, u, acct, KEHU_IX_PURCHASE, T0 + 40 * DAY, 300, 0);
	record_ix(f->db, p, acct, KEHU_IX_COMPLAINT, T0 + 41 * DAY, 0, 0);
	record_ix(f->db, u, acct, KEHU_IX_FEEDBACK, T0 + 42 * DAY, 0, 0);
	record_ix(f->db, p, acct, KEHU_IX_REFERRAL, T0 + 43 * DAY, 0, 0);
	/* a customer outside the account may still act within it */
	record_ix(f->db, outsider, acct, KEHU_IX_CALL, T0 + 44 * DAY, 0, 7);

	OK(kehu_metrics_read(&m, f->db, acct, T0 + 50 * DAY));
	assert_int_equal(m.interactions, 8);
	assert_int_equal(m.orders, 3);
	assert_int_equal(m.purchases, 2); /* two orders on day 0 */
	assert_int_equal(m.sales, 1800);
	assert_int_equal(m.refunds, 100);
	assert_int_equal(m.revenue, 1700);
	assert_int_equal(m.cost, 157);
	assert_int_equal(m.margin, 1543);
	assert_true(m.average_order_value == 600.0);
	assert_int_equal(m.complaints, 1);
	assert_int_equal(m.satisfaction_count, 1);
	assert_true(m.average_satisfaction == 5.0);
	assert_int_equal(m.last_satisfaction, 5);
	assert_int_equal(m.referrals, 1);
	assert_int_equal(m.months_active, 2);
	assert_int_equal(m.first_purchase, T0 + 10 * 3600);
	assert_int_equal(m.last_purchase, T0 + 40 * DAY);
	assert_int_equal(m.last_contact, T0 + 44 * DAY);
	assert_int_equal(m.days_since_first_purchase, 50);
	assert_int_equal(m.days_since_last_purchase, 10);
	assert_int_equal(m.days_since_last_contact, 6);
	assert_int_equal(m.revenue_30d, 300);
	assert_int_equal(m.purchases_30d, 1);
	assert_int_equal(m.complaints_30d, 1);
	assert_int_equal(m.revenue_90d, 1700);
	assert_int_equal(m.purchases_90d, 2);
	assert_int_equal(m.revenue_365d, 1700);

	/* the customers' own metrics were fed too */
	OK(kehu_metrics_read(&m, f->db, p, T0 + 50 * DAY));
	assert_int_equal(m.interactions, 4);
	assert_int_equal(m.orders, 2);
	assert_int_equal(m.purchases, 1);
	assert_int_equal(m.sales, 1200);
	assert_int_equal(m.cost, 100);
	assert_int_equal(m.complaints, 1);
	assert_int_equal(m.referrals, 1);
	OK(kehu_metrics_read(&m, f->db, u, T0 + 50 * DAY));
	assert_int_equal(m.interactions, 4);
	assert_int_equal(m.orders, 2);
	assert_int_equal(m.sales, 800);
	assert_int_equal(m.refunds, 100);
	assert_int_equal(m.revenue, 700);
	assert_int_equal(m.satisfaction_count, 1);
	OK(kehu_metrics_read(&m, f->db, outsider, T0 + 50 * DAY));
	assert_int_equal(m.interactions, 1);
	assert_int_equal(m.cost, 7);

	/* an unknown account refuses the interaction, nothing changes */
	OK(kehu_interaction_new(&ix, f->db, p, KEHU_IX_PURCHASE, T0));
	OK(kehu_interaction_set_account(ix, 777));
	OK(kehu_interaction_set_amount(ix, 1));
	assert_int_equal(kehu_interaction_record(ix), KEHU_ENOTFOUND);
	assert_msg_has(f->db, "777");
	/* a customer id is not an account id */
	OK(kehu_interaction_set_account(ix, u));
	assert_int_equal(kehu_interaction_record(ix), KEHU_ENOTFOUND);
	ix_id = kehu_interaction_get_id(ix);
	assert_int_equal(ix_id, 0);
	kehu_interaction_free(ix);
	OK(kehu_metrics_read(&m, f->db, p, T0 + 50 * DAY));
	assert_int_equal(m.interactions, 4);
	OK(kehu_metrics_read(&m, f->db, acct, T0 + 50 * DAY));
	assert_int_equal(m.interactions, 8);
}

/* ---- iteration and armor -------------------------------------------- */

typedef struct ids {
	kehu_id v[16];
	int n;
	int stop_at;
} ids;

static int collect_id(kehu_id id, void *ud)
{
	ids *k = ud;

	k->v[k->n++] = id;
	return k->stop_at && k->n == k->stop_at ? 11 : 0;
}

static void test_foreach(void **state)
{
	test_fx *f = *state;
	kehu_id p = test_new_customer(f->db);
	kehu_id a[5];
	ids k;
	int i;

	memset(&k, 0, sizeof k);
	OK(kehu_account_foreach(f->db, collect_id, &k));
	assert_int_equal(k.n, 0);
	for (i = 0; i < 5; i++) {
		a[i] = test_new_account(f->db, p);
		(void)test_new_customer(f->db); /* interleaved ids */
	}
	OK(kehu_account_delete(f->db, a[1]));
	OK(kehu_account_foreach(f->db, collect_id, &k));
	assert_int_equal(k.n, 4);
	assert_int_equal(k.v[0], a[0]);
	assert_int_equal(k.v[1], a[2]);
	assert_int_equal(k.v[2], a[3]);
	assert_int_equal(k.v[3], a[4]);
	memset(&k, 0, sizeof k);
	k.stop_at = 3;
	assert_int_equal(kehu_account_foreach(f->db, collect_id, &k), 11);
	assert_int_equal(k.n, 3);
	assert_int_equal(kehu_account_foreach(f->db, NULL, &k), KEHU_EINVAL);
	assert_int_equal(kehu_account_foreach(NULL, collect_id, &k),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_db_account_count(f->db), 4);
}

static void test_null_args(void **state)
{
	test_fx *f = *state;
	kehu_account *a = (kehu_account *)&a;
	kehu_id p = test_new_customer(f->db);

	assert_int_equal(kehu_account_create(&a, NULL, p), KEHU_EINVAL);
	assert_null(a);
	assert_int_equal(kehu_account_create(NULL, f->db, p), KEHU_EINVAL);
	assert_int_equal(kehu_db_account_count(f->db), 0);
	assert_int_equal(kehu_account_lookup(NULL, f->db, 1), KEHU_EINVAL);
	assert_int_equal(kehu_account_lookup(&a, NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_account_save(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_account_delete(NULL, 1), KEHU_EINVAL);
	kehu_account_free(NULL);
	assert_int_equal(kehu_account_get_id(NULL), 0);
	assert_string_equal(kehu_account_get_name(NULL), "");
	assert_int_equal(kehu_account_get_payer(NULL), 0);
	assert_int_equal(kehu_account_member_count(NULL), 0);
	assert_int_equal(kehu_account_get_member_role(NULL, p), 0);
	assert_int_equal(kehu_account_set_name(NULL, "x"), KEHU_EINVAL);
	assert_int_equal(kehu_account_set_payer(NULL, p), KEHU_EINVAL);
	assert_int_equal(kehu_account_add_member(NULL, p, 2), KEHU_EINVAL);
	assert_int_equal(kehu_account_remove_member(NULL, p), KEHU_EINVAL);
	assert_int_equal(kehu_account_foreach_member(NULL, collect_member,
	                                             NULL),
	                 KEHU_EINVAL);
}

static void test_zombie(void **state)
{
	test_alloc al;
	kehu_db *db;
	kehu_account *a;
	kehu_id p;

	(void)state;
	memset(&al, 0, sizeof al);
	OK(test_open(&db, &al, NULL));
	p = test_new_customer(db);
	OK(kehu_account_create(&a, db, p));
	OK(kehu_account_set_name(a, "z"));
	kehu_db_close(db);
	assert_true(al.live_bytes > 0);
	assert_int_equal(kehu_account_save(a), KEHU_EMISUSE);
	assert_int_equal(kehu_account_set_name(a, "y"), KEHU_EMISUSE);
	assert_int_equal(kehu_account_set_payer(a, p), KEHU_EMISUSE);
	assert_int_equal(kehu_account_add_member(a, p + 5, 2), KEHU_EMISUSE);
	assert_int_equal(kehu_account_remove_member(a, p), KEHU_EMISUSE);
	assert_string_equal(kehu_account_get_name(a), "z");
	assert_int_equal(kehu_account_foreach_member(a, collect_member, NULL),
	                 KEHU_EMISUSE);
	kehu_account_free(a);
	assert_int_equal(al.live_bytes, 0);
	assert_int_equal(al.bad_osize, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_fx_setup, test_fx_teardown)
		T(test_create),
		T(test_members),
		T(test_member_limit),
		T(test_set_payer),
		T(test_save_round_trip),
		T(test_conflict),
		T(test_unknown_member_at_save),
		T(test_member_blocks_delete),
		cmocka_unit_test(test_delete),
		T(test_metrics),
		T(test_foreach),
		T(test_null_args),
		cmocka_unit_test(test_zombie),
#undef T
	};

	return cmocka_run_group_tests_name("account", tests, NULL, NULL);
}
