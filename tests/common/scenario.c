/*
 * tests/common/scenario: see scenario.h.
 */
#include "scenario.h"

#include <string.h>

static int record(scenario *s, int64_t cust, int32_t type, int64_t t,
                  int64_t amount, int32_t sat, int64_t account)
{
	kehu_interaction *ix;
	int rc = kehu_interaction_new(&ix, s->db, cust, type, t);

	if (rc != KEHU_OK)
		return rc;
	if ((rc = kehu_interaction_set_amount(ix, amount)) == KEHU_OK &&
	    (rc = kehu_interaction_set_cost(ix, amount / 3)) == KEHU_OK &&
	    (rc = kehu_interaction_set_satisfaction(ix, sat)) == KEHU_OK &&
	    (rc = kehu_interaction_set_account(ix, account)) == KEHU_OK &&
	    (rc = kehu_interaction_set_channel(ix, "store")) == KEHU_OK &&
	    (rc = kehu_interaction_set_note(ix, "asked for Zhang")) == KEHU_OK &&
	    (rc = kehu_interaction_set_attr_string(ix, "sku", "A-1")) ==
	            KEHU_OK)
		rc = kehu_interaction_record(ix);
	kehu_interaction_free(ix);
	return rc;
}

static int step_open(scenario *s)
{
	return kehu_db_open(&s->db, &s->opts);
}

static int step_edit_c1(scenario *s)
{
	int rc;

	if ((rc = kehu_customer_set_name(s->c1, "Zhang San")) ||
	    (rc = kehu_customer_set_kind(s->c1, KEHU_KIND_PERSON)) ||
	    (rc = kehu_customer_add_tag(s->c1, "vip")) ||
	    (rc = kehu_customer_add_tag(s->c1, "newsletter")) ||
	    (rc = kehu_customer_set_attr_int(s->c1, "credit_limit", 50000)) ||
	    (rc = kehu_customer_set_attr_string(s->c1, "city", "Shanghai")) ||
	    (rc = kehu_customer_set_attr_number(s->c1, "score", 0.75)) ||
	    (rc = kehu_customer_set_attr_time(s->c1, "birthday", 86400)))
		return rc;
	return kehu_customer_save(s->c1);
}

static int step_edit_c2(scenario *s)
{
	int rc;

	if ((rc = kehu_customer_set_referrer(s->c2, kehu_customer_get_id(s->c1))) ||
	    (rc = kehu_customer_set_relation(s->c2, KEHU_RELATION_BUSINESS)) ||
	    (rc = kehu_customer_add_tag(s->c2, "lead")))
		return rc;
	return kehu_customer_save(s->c2);
}

static int step_bulk(scenario *s)
{
	int64_t id = kehu_customer_get_id(s->c1);
	int rc = kehu_db_begin(s->db);
	int i;

	for (i = 0; rc == KEHU_OK && i < 3; i++)
		rc = record(s, id, KEHU_IX_PURCHASE, T0 + (40 + i * 31) * DAY,
		            1000 + i, 0, 0);
	if (rc == KEHU_OK)
		return kehu_db_commit(s->db);
	if (kehu_db_in_transaction(s->db))
		kehu_db_rollback(s->db);
	return rc;
}

static int step_account_member(scenario *s)
{
	int rc = kehu_account_add_member(s->acct, kehu_customer_get_id(s->c2),
	                                 KEHU_ROLE_USER);

	if (rc == KEHU_OK)
		rc = kehu_account_set_name(s->acct, "Zhang Trading");
	return rc ? rc : kehu_account_save(s->acct);
}

static int step_create_c3(scenario *s)
{
	kehu_customer *c;
	int rc = kehu_customer_create(&c, s->db, "C-3");

	if (rc == KEHU_OK) {
		s->c3 = kehu_customer_get_id(c);
		kehu_customer_free(c);
	}
	return rc;
}

static int step_reopen(scenario *s)
{
	kehu_customer_free(s->c1);
	kehu_customer_free(s->c2);
	kehu_account_free(s->acct);
	s->c1 = s->c2 = NULL;
	s->acct = NULL;
	kehu_db_close(s->db);
	s->db = NULL;
	return kehu_db_open(&s->db, &s->opts);
}

#define NSTEPS 17

int scenario_steps(void)
{
	return NSTEPS;
}

int scenario_step(scenario *s, int i)
{
	int64_t c1 = s->c1 ? kehu_customer_get_id(s->c1) : 0;
	int64_t c2 = s->c2 ? kehu_customer_get_id(s->c2) : 0;
	int64_t a = s->acct ? kehu_account_get_id(s->acct) : 0;

	switch (i) {
	case 0: return step_open(s);
	case 1: return kehu_customer_create(&s->c1, s->db, "C-1");
	case 2: return step_edit_c1(s);
	case 3: return kehu_customer_create(&s->c2, s->db, NULL);
	case 4: return step_edit_c2(s);
	case 5: return record(s, c1, KEHU_IX_PURCHASE, T0 + 3600, 19900, 0, 0);
	case 6: return record(s, c1, KEHU_IX_REFUND, T0 + DAY, 500, 0, 0);
	case 7: return record(s, c1, KEHU_IX_COMPLAINT, T0 + 2 * DAY, 0, 2, 0);
	case 8: return record(s, c2, KEHU_IX_FEEDBACK, T0 + 3 * DAY, 0, 5, 0);
	case 9: return kehu_account_create(&s->acct, s->db, c1);
	case 10: return step_account_member(s);
	case 11: return record(s, c2, KEHU_IX_PURCHASE, T0 + 5 * DAY, 7000, 0, a);
	case 12: return step_bulk(s);
	case 13: return step_create_c3(s);
	case 14: return kehu_customer_delete(s->db, s->c3);
	case 15: return kehu_customer_erase(s->db, c2);
	case 16: return step_reopen(s);
	default: return KEHU_EINVAL;
	}
}

void scenario_end(scenario *s)
{
	kehu_customer_free(s->c1);
	kehu_customer_free(s->c2);
	kehu_account_free(s->acct);
	kehu_db_close(s->db);
	memset(s, 0, sizeof *s);
}
