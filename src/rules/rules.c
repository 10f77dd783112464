/*
 * rules/rules: the public API of the rule engine: compile, free,
 * introspection, evaluate one customer, result handles.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/db.h"
#include "model/fields.h"
#include "model/view.h"
#include "rules/eval.h"
#include "rules/jumps.h"
#include "rules/parser.h"
#include "rules/population.h"
#include "rules/resolve.h"

struct kehu_result {
	kehu_db *db;
	const kehu_rules *rules;
	double *items;
};

/* Ids 0..8 are fixed: the field values and "" (see eval.c). */
static const char fixed_strings[][13] = {
	"person",   "organisation", "consumer", "business", "channel",
	"internal", "prospect",     "customer", ""};

KEHU_API void kehu_rules_free(kehu_rules *r)
{
	kehu__allocator a;
	size_t i;

	if (!r)
		return;
	a = r->alloc;
	for (i = 0; i < r->nstrings; i++)
		kehu__strfree(&a, r->strings[i]);
	kehu__free(&a, r->strings, r->strings_cap * sizeof *r->strings);
	kehu__free(&a, r->nodes, r->nodes_cap * sizeof *r->nodes);
	kehu__free(&a, r->kids, r->kids_cap * sizeof *r->kids);
	kehu__free(&a, r->items, r->items_cap * sizeof *r->items);
	kehu__free(&a, r->rules, r->rules_cap * sizeof *r->rules);
	kehu__free(&a, r->pops, r->pops_cap * sizeof *r->pops);
	kehu__free(&a, r->jumps, r->jumps_cap * sizeof *r->jumps);
	/* index arrays were grown by doubling: free by their capacity */
	kehu__free(&a, r->scores, r->scores_cap * sizeof *r->scores);
	kehu__free(&a, r->classes, r->classes_cap * sizeof *r->classes);
	kehu__free(&a, r->order, r->order_cap * sizeof *r->order);
	kehu__free(&a, r->source, r->source_len + 1);
	kehu__strfree(&a, r->name);
	kehu__free(&a, r, sizeof *r);
}

static int compile_text(kehu_rules *r, kehu__rerror *e)
{
	size_t i;

	for (i = 0; i < sizeof fixed_strings / sizeof fixed_strings[0]; i++)
		if (kehu__rstring_intern(r, e, fixed_strings[i],
		                         strlen(fixed_strings[i])) < 0)
			return -1;
	if (kehu__rules_parse(r, e) < 0 || kehu__rules_resolve(r, e) < 0 ||
	    kehu__rjumps_build(r, e) < 0)
		return -1;
	return 0;
}

int kehu__rules_compile_e(kehu_rules **out, kehu_db *db, const char *text,
                          size_t len, int query, kehu__rerror *e)
{
	kehu_rules *r;

	*out = NULL;
	memset(e, 0, sizeof *e);
	if (!(r = kehu__calloc(&db->alloc, 1, sizeof *r))) {
		e->code = KEHU_ENOMEM;
		return -1;
	}
	r->alloc = db->alloc;
	r->db = db;
	r->currency_exponent = db->currency_exponent;
	r->money_scale = pow(10.0, db->currency_exponent);
	if (!(r->source = kehu__strndup(&db->alloc, text, len))) {
		kehu_rules_free(r);
		e->code = KEHU_ENOMEM;
		return -1;
	}
	r->source_len = len;
	r->query = query;
	if (compile_text(r, e) < 0) {
		kehu_rules_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int kehu__rules_report(kehu_db *db, const kehu__rerror *e, uint32_t line0)
{
	char prefix[32];

	if (e->code == KEHU_ENOMEM)
		return kehu__db_nomem(db);
	snprintf(prefix, sizeof prefix, "%u:%u: ",
	         (unsigned)(e->line > line0 ? e->line - line0 : e->line),
	         (unsigned)e->col);
	return kehu__db_error3(db, KEHU_ECOMPILE, prefix, e->msg, "");
}

KEHU_API int kehu_rules_compile(kehu_rules **out, kehu_db *db,
                                const char *text, size_t len)
{
	kehu__rerror e;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out || !text)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_compile: out and text must "
		                      "not be NULL");
	/* the int constant 1048576: nothing is lost by widening it
	 NOLINTNEXTLINE(bugprone-implicit-widening-of-multiplication-result) */
	if (len > KEHU_MAX_RULES_TEXT)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_compile: the text is longer "
		                      "than 1 MiB");
	if (kehu__rules_compile_e(out, db, text, len, 0, &e) < 0)
		return kehu__rules_report(db, &e, 0);
	return kehu__db_ok(db);
}

KEHU_API const char *kehu_rules_get_name(const kehu_rules *r)
{
	return r ? r->name : NULL;
}

KEHU_API int64_t kehu_rules_get_version(const kehu_rules *r)
{
	return r ? r->version : 0;
}

KEHU_API size_t kehu_rules_classification_count(const kehu_rules *r)
{
	return r ? r->nclasses : 0;
}

KEHU_API size_t kehu_rules_score_count(const kehu_rules *r)
{
	return r ? r->nscores : 0;
}

/* The NUL-terminated name of an item (kept in r->strings? no: copied
 * on demand would allocate); names live in the source: we keep them as
 * interned strings at compile time. */
static const char *item_name(const kehu_rules *r, int32_t item)
{
	const kehu__ritem *it = &r->items[item];
	int32_t id = kehu__rstring_find(r, r->source + it->name_start,
	                                it->name_len);

	return id >= 0 ? r->strings[id] : NULL;
}

KEHU_API const char *kehu_rules_classification_name(const kehu_rules *r,
                                                    size_t index)
{
	return r && index < r->nclasses ? item_name(r, r->classes[index])
	                                : NULL;
}

KEHU_API const char *kehu_rules_score_name(const kehu_rules *r,
                                           size_t index)
{
	return r && index < r->nscores ? item_name(r, r->scores[index]) : NULL;
}

/* ---- evaluate ---------------------------------------------------------- */

KEHU_API void kehu_result_free(kehu_result *res)
{
	kehu_db *db;

	if (!res)
		return;
	db = res->db;
	kehu__free(&db->alloc, res->items,
	           (res->rules->nitems + 1) * sizeof *res->items);
	kehu__db_handle_free(db, res, sizeof *res);
}

KEHU_API int kehu_rules_evaluate(kehu_result **out, const kehu_rules *rules,
                                 kehu_db *db, kehu_id customer_id,
                                 int64_t now)
{
	kehu__rpopdata pop;
	kehu_result *res;
	kehu__buf rec;
	long slot;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out || !rules)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_evaluate: out and rules must "
		                      "not be NULL");
	if (rules->db != db)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "the rules were compiled for another db");
	if ((rc = kehu__check_time(db, "now", now)) != KEHU_OK)
		return rc;
	if ((slot = kehu__view_find(db, customer_id)) < 0)
		return kehu__db_errori(db, KEHU_ENOTFOUND,
		                       "no customer with id ", customer_id, "");
	if (!(res = kehu__db_handle_new(db, sizeof *res)))
		return KEHU_ENOMEM;
	res->db = db;
	res->rules = rules;
	if (!(res->items = kehu__calloc(&db->alloc, rules->nitems + 1,
	                                sizeof *res->items))) {
		kehu_result_free(res);
		return kehu__db_nomem(db);
	}
	kehu__buf_init(&rec, &db->alloc);
	rc = kehu__rpop_compute(db, rules, now, &pop);
	if (rc == KEHU_OK)
		rc = kehu__rules_eval_slot(db, rules, &pop, (size_t)slot, now,
		                           res->items, NULL, &rec);
	kehu__rpop_free(db, rules, &pop);
	kehu__buf_free(&rec);
	if (rc != KEHU_OK) {
		kehu_result_free(res);
		return rc;
	}
	*out = res;
	return kehu__db_ok(db);
}

static long public_item(const kehu_rules *r, const int32_t *list, size_t n,
                        const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < n; i++) {
		const char *s = item_name(r, list[i]);

		if (s && strcmp(s, name) == 0)
			return (long)i;
	}
	return -1;
}

KEHU_API const char *kehu_result_get_label(const kehu_result *res,
                                           size_t index)
{
	double id;

	if (!res || index >= res->rules->nclasses)
		return NULL;
	id = res->items[res->rules->classes[index]];
	return id >= 0 ? res->rules->strings[(size_t)id] : NULL;
}

KEHU_API const char *kehu_result_get_label_by_name(const kehu_result *res,
                                                   const char *name)
{
	long i = res ? public_item(res->rules, res->rules->classes,
	                           res->rules->nclasses, name)
	             : -1;

	return i < 0 ? NULL : kehu_result_get_label(res, (size_t)i);
}

KEHU_API double kehu_result_get_score(const kehu_result *res, size_t index)
{
	const kehu__ritem *it;
	double v;

	if (!res || index >= res->rules->nscores)
		return NAN;
	it = &res->rules->items[res->rules->scores[index]];
	v = res->items[res->rules->scores[index]];
	return it->type == KEHU__T_MONEY ? v / res->rules->money_scale : v;
}

KEHU_API double kehu_result_get_score_by_name(const kehu_result *res,
                                              const char *name)
{
	long i = res ? public_item(res->rules, res->rules->scores,
	                           res->rules->nscores, name)
	             : -1;

	return i < 0 ? NAN : kehu_result_get_score(res, (size_t)i);
}
