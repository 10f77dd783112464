/*
 * rules/classify: classify-all (labels and scores stored per customer, a
 * transaction per batch, progress and transition callbacks) and segment
 * queries.  A query or segment is compiled as one more classification
 * appended to the rule set's own text, so it can name its items.
 */
#include <stdio.h>
#include <string.h>

#include "codec/keys.h"
#include "codec/labels.h"
#include "core/tuning.h"
#include "model/db.h"
#include "model/fields.h"
#include "model/view.h"
#include "rules/parser.h"
#include "rules/population.h"

#define QUERY_ITEM "kehu_query_"

/* Lines of expr, and the column just after its end. */
static uint32_t expr_lines(const char *expr, uint32_t *end_col)
{
	uint32_t lines = 1, col = 1;

	for (; *expr; expr++) {
		if (*expr == '\n') {
			lines++;
			col = 1;
		} else {
			col++;
		}
	}
	*end_col = col;
	return lines;
}

/* Compiles `expr` as classification kehu_query_ after rules' items. */
static int compile_query(kehu_db *db, const kehu_rules *rules,
                         const char *expr, kehu_rules **out)
{
	static const char head[] = "ruleset \"query\" version 1\n";
	static const char open_[] = "\nclassify " QUERY_ITEM " {\nyes when\n";
	static const char close_[] = "\nno else\n}\n";
	const char *src = rules ? rules->source : head;
	size_t slen = rules ? rules->source_len : sizeof head - 1, i;
	uint32_t line0 = 3, nlines, end_col; /* lines before the query */
	kehu__rerror e;
	kehu__buf text;
	int rc = KEHU_OK;

	for (i = 0; i < slen; i++)
		line0 += src[i] == '\n';
	nlines = expr_lines(expr, &end_col);
	kehu__buf_init(&text, &db->alloc);
	kehu__buf_put(&text, src, slen);
	kehu__buf_put(&text, open_, sizeof open_ - 1);
	kehu__buf_put(&text, expr, strlen(expr));
	kehu__buf_put(&text, close_, sizeof close_ - 1);
	if (text.failed)
		rc = kehu__db_nomem(db);
	else if (kehu__rules_compile_e(out, db, (const char *)text.data,
	                               text.len, 1, &e) < 0) {
		/* an error after the query's text: it ended too early */
		if (e.code != KEHU_ENOMEM && e.line > line0 + nlines) {
			e.line = line0 + nlines;
			e.col = end_col;
			snprintf(e.msg, sizeof e.msg,
			         "the query ends before its expression does");
		}
		rc = kehu__rules_report(db, &e, line0);
	} else if ((*out)->nitems != (rules ? rules->nitems : 0) + 1) {
		/* "... no else } classify x {" would add items */
		kehu_rules_free(*out);
		*out = NULL;
		rc = kehu__db_error(db, KEHU_ECOMPILE,
		                    "1:1: a query is one expression");
	}
	kehu__buf_free(&text);
	return rc;
}

static int32_t query_item(const kehu_rules *q)
{
	return q->classes[q->nclasses - 1];
}

/* ---- query ---------------------------------------------------------------- */

static int run_query(kehu_db *db, const kehu_rules *q, int64_t now,
                     kehu_query_cb cb, void *user_data, int64_t *count)
{
	kehu__rpopdata pop;
	kehu__view_seq seq;
	kehu__reval ctx;
	kehu__view v;
	kehu__buf rec;
	double *items;
	size_t slot;
	int32_t yes = kehu__rstring_find(q, "yes", 3);
	int rc = kehu__rpop_compute(db, q, now, &pop);

	if (rc != KEHU_OK)
		return rc;
	if ((rc = kehu__view_seq_begin(db, &seq, now)) != KEHU_OK) {
		kehu__rpop_free(db, q, &pop);
		return rc;
	}
	kehu__buf_init(&rec, &db->alloc);
	items = kehu__calloc(&db->alloc, q->nitems + 1, sizeof *items);
	if (!items)
		rc = kehu__db_nomem(db);
	else
		kehu__reval_begin(&ctx, q, items);
	for (slot = 0; rc == KEHU_OK && slot < pop.nslots; slot++) {
		if (kehu__view_at(db, slot, &v) != 0)
			continue;
		rc = kehu__reval_prepare(db, q, &pop, slot, now, q->needs,
		                         &seq, &ctx, &rec);
		if (rc != KEHU_OK)
			break;
		/* only what the query's expression reaches: `and` and `or`
		 * stop early, so most customers skip most items */
		if (kehu__reval_item(&ctx, query_item(q)) != yes)
			continue;
		(*count)++;
		if (cb && (rc = cb(v.id, user_data)) != 0)
			break;
	}
	kehu__free(&db->alloc, items, (q->nitems + 1) * sizeof *items);
	kehu__buf_free(&rec);
	kehu__view_seq_end(db, &seq);
	kehu__rpop_free(db, q, &pop);
	return rc;
}

KEHU_API int kehu_query(kehu_db *db, const kehu_rules *rules,
                        const char *expr, int64_t now, kehu_query_cb cb,
                        void *user_data, int64_t *count_out)
{
	kehu_rules *q;
	int64_t count = 0;
	int rc;

	if (count_out)
		*count_out = 0;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!expr || (rules && rules->db != db))
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_query: expr is required (and rules "
		                      "of this db)");
	if ((rc = kehu__check_time(db, "now", now)) != KEHU_OK ||
	    (rc = compile_query(db, rules, expr, &q)) != KEHU_OK)
		return rc;
	rc = run_query(db, q, now, cb, user_data, &count);
	kehu_rules_free(q);
	if (count_out)
		*count_out = count;
	return rc == KEHU_OK ? kehu__db_ok(db) : rc;
}

/* ---- classify all ------------------------------------------------------- */

KEHU_API int kehu_classify_options_init(kehu_classify_options *o,
                                        uint32_t version)
{
	if (!o || version != KEHU_CLASSIFY_OPTIONS_VERSION)
		return KEHU_EINVAL;
	o->version = version;
	o->batch_size = 1000;
	o->segment = NULL;
	o->progress = NULL;
	o->transition = NULL;
	o->user_data = NULL;
	return KEHU_OK;
}

typedef struct classify_run {
	kehu_db *db;
	const kehu_rules *rules; /* the user's: names and labels */
	const kehu_rules *eval;  /* what is evaluated (with a segment) */
	const kehu_classify_options *o;
	int64_t now;
	kehu__rpopdata pop;
	kehu__view_seq seq;      /* windows, read in id order */
	kehu__buf rec;           /* the customer record being evaluated */
	double *items;
	kehu__reval ctx;         /* evaluates run.eval, customer by customer */
	const char **names;      /* classifications', then scores' names:
	                            looked up once, not per customer */
	kehu__buf pending;       /* transitions of the open batch */
	kehu__buf pairs;         /* every (classification, label) pair and
	                            every score's prefix, encoded once */
	size_t *pair_at;         /* per rule, then per score: offset in
	                            pairs; [nrules + nscores] is the end */
	int64_t done;
	int64_t total;
} classify_run;

/* Records a transition: id, classification index, whether there was an
 * old label, the old label and the new one (NUL-terminated). */
static void note_transition(classify_run *run, kehu_id id, size_t ci,
                            const char *old, size_t old_len,
                            const char *label)
{
	uint64_t u = (uint64_t)id;

	kehu__buf_put(&run->pending, &u, sizeof u);
	kehu__buf_put(&run->pending, &ci, sizeof ci);
	kehu__buf_put_u8(&run->pending, old != NULL);
	if (old) /* no old label: nothing to copy (and no pointer to) */
		kehu__buf_put(&run->pending, old, old_len);
	kehu__buf_put_u8(&run->pending, 0);
	kehu__buf_put(&run->pending, label, strlen(label) + 1);
}

/* The encoded label pair of each rule (its classification's name and
 * its label) and each score's prefix, so that writing a customer's
 * labels copies bytes instead of encoding names for every customer. */
static int encode_pairs(classify_run *run)
{
	const kehu_rules *r = run->rules;
	size_t i, k, n = r->nrules + r->nscores;

	if (!KEHU__FAST_PATHS)
		return KEHU_OK; /* pairs are encoded per customer */
	run->pair_at = kehu__calloc(&run->db->alloc, n + 1,
	                            sizeof *run->pair_at);
	if (!run->pair_at)
		return kehu__db_nomem(run->db);
	for (i = 0; i < r->nclasses; i++) {
		const kehu__ritem *it = &r->items[r->classes[i]];

		for (k = 0; k < (size_t)it->nrules; k++) {
			size_t rule = (size_t)it->first_rule + k;

			run->pair_at[rule] = run->pairs.len;
			kehu__labels_add_label(
				&run->pairs, run->names[i],
				r->strings[r->rules[rule].label]);
		}
	}
	for (i = 0; i < r->nscores; i++) {
		run->pair_at[r->nrules + i] = run->pairs.len;
		kehu__labels_add_score(&run->pairs, run->names[r->nclasses + i],
		                       0.0);
	}
	run->pair_at[n] = run->pairs.len;
	return run->pairs.failed ? kehu__db_nomem(run->db) : KEHU_OK;
}

/* Appends classification i's label pair (its label's string id). */
static void add_label_pair(classify_run *run, size_t i, int32_t label)
{
	const kehu_rules *r = run->rules;
	const kehu__ritem *it = &r->items[r->classes[i]];
	size_t rule = (size_t)it->first_rule;
	size_t end = rule + (size_t)it->nrules;

	while (rule < end && r->rules[rule].label != label)
		rule++;
	if (rule == end) /* not one of its rules': never, but encode it */
		kehu__labels_add_label(&run->db->val, run->names[i],
		                       r->strings[label]);
	else
		kehu__buf_put(&run->db->val,
		              run->pairs.data + run->pair_at[rule],
		              run->pair_at[rule + 1] - run->pair_at[rule]);
}

/* Writes one customer's labels, noting changes since the stored ones. */
static int store_labels(classify_run *run, kehu_id id)
{
	kehu_db *db = run->db;
	const kehu_rules *r = run->rules;
	kehu__buf old;
	size_t i;
	int rc, have_old;

	kehu__buf_init(&old, &db->alloc);
	kehu__key_labels(&db->key, id, r->name);
	/* the old labels matter only to the transition callback */
	rc = db->key.failed ? kehu__db_nomem(db)
	     : run->o->transition ? kehu__store_get(&db->store, &db->key, &old)
	                          : KEHU_ENOTFOUND;
	have_old = rc == KEHU_OK;
	if (rc != KEHU_OK && rc != KEHU_ENOTFOUND) {
		kehu__buf_free(&old);
		return rc;
	}
	kehu__labels_begin(&db->val);
	for (i = 0; i < r->nclasses; i++) {
		const char *name = run->names[i];
		int32_t sid = (int32_t)run->items[r->classes[i]];
		const char *label = r->strings[sid];
		const char *prev = NULL;
		size_t plen = 0;

		if (KEHU__FAST_PATHS)
			add_label_pair(run, i, sid);
		else
			kehu__labels_add_label(&db->val, name, label);
		if (run->o->transition &&
		    (!have_old || kehu__labels_find_label(old.data, old.len,
		                                          name, &prev,
		                                          &plen) != KEHU_OK ||
		     plen != strlen(label) || memcmp(prev, label, plen) != 0))
			note_transition(run, id, i, prev, plen, label);
	}
	for (i = 0; i < r->nscores; i++) {
		const kehu__ritem *it = &r->items[r->scores[i]];
		double v = run->items[r->scores[i]];

		size_t at;

		if (it->type == KEHU__T_MONEY)
			v /= r->money_scale;
		if (!KEHU__FAST_PATHS) {
			kehu__labels_add_score(
				&db->val, run->names[r->nclasses + i], v);
			continue;
		}
		at = run->pair_at[r->nrules + i];
		kehu__labels_add_score_after(
			&db->val, run->pairs.data + at,
			run->pair_at[r->nrules + i + 1] - at -
				KEHU__LABELS_SCORE_VALUE_BYTES, v);
	}
	kehu__buf_free(&old);
	if (run->pending.failed)
		return kehu__db_nomem(db);
	return kehu__op_put(db, &db->key, &db->val);
}

static int classify_slot(classify_run *run, size_t slot, kehu_id id)
{
	const kehu_rules *e = run->eval;
	int rc = kehu__reval_prepare(run->db, e, &run->pop, slot, run->now,
	                             e->needs, &run->seq, &run->ctx,
	                             &run->rec);

	if (rc != KEHU_OK)
		return rc;
	/* the segment first: a customer outside it needs no other item */
	if (e != run->rules &&
	    kehu__reval_item(&run->ctx, query_item(e)) !=
	            kehu__rstring_find(e, "yes", 3))
		return KEHU_OK; /* outside the segment */
	kehu__reval_items(&run->ctx);
	run->done++;
	return store_labels(run, id);
}

/* Calls the transition callback for each change of a committed batch. */
static int report_transitions(classify_run *run)
{
	const uint8_t *p = run->pending.data, *end;
	int rc;

	if (run->pending.len == 0) /* data may be NULL: no arithmetic on it */
		return KEHU_OK;
	end = p + run->pending.len;
	while (p < end) {
		uint64_t id;
		size_t ci;
		const char *old, *label;
		int has_old;

		memcpy(&id, p, sizeof id);
		memcpy(&ci, p + sizeof id, sizeof ci);
		has_old = p[sizeof id + sizeof ci];
		old = (const char *)p + sizeof id + sizeof ci + 1;
		label = old + strlen(old) + 1;
		p = (const uint8_t *)label + strlen(label) + 1;
		rc = run->o->transition(
			(kehu_id)id, kehu_rules_classification_name(run->rules, ci),
			has_old ? old : NULL, label, run->o->user_data);
		if (rc != 0)
			return KEHU_EUSER;
	}
	return KEHU_OK;
}

/* One batch: one transaction over slots [*slot, ...) with up to
 * batch_size customers classified. */
static int run_batch(classify_run *run, size_t *slot)
{
	kehu_db *db = run->db;
	int64_t start = run->done;
	kehu__view v;
	int rc = kehu_db_begin(db);

	kehu__buf_reset(&run->pending);
	while (rc == KEHU_OK && *slot < run->pop.nslots &&
	       run->done - start < run->o->batch_size) {
		if (kehu__view_at(db, *slot, &v) == 0)
			rc = classify_slot(run, *slot, v.id);
		(*slot)++;
	}
	/* transitions are reported before the batch commits, so a callback
	 * that stops rolls its batch back; if the commit fails, the next run
	 * reports them again (at least once, never lost) */
	if (rc == KEHU_OK && (rc = report_transitions(run)) != KEHU_OK)
		kehu__db_error(db, rc, "a transition callback stopped the "
		                       "classification");
	if (rc != KEHU_OK) {
		if (kehu_db_in_transaction(db))
			kehu_db_rollback(db);
		run->done = start;
		return rc;
	}
	if ((rc = kehu_db_commit(db)) != KEHU_OK)
		return rc;
	if (run->done == start)
		return KEHU_OK; /* only deleted customers were left */
	if (run->o->progress &&
	    run->o->progress(run->done, run->total, run->o->user_data) != 0)
		return kehu__db_error(db, KEHU_EUSER, "the progress callback "
		                                      "stopped the "
		                                      "classification");
	return KEHU_OK;
}

static int check_classify(kehu_db *db, const kehu_rules *rules,
                          const kehu_classify_options *o)
{
	if (!rules || rules->db != db)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_classify_all: rules of this db "
		                      "are required");
	if (o->version != KEHU_CLASSIFY_OPTIONS_VERSION || o->batch_size < 1 ||
	    o->batch_size > 1000000)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_classify_all: options not "
		                      "initialised, or batch_size outside "
		                      "1..1000000");
	if (db->host_txn)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "kehu_rules_classify_all commits batches "
		                      "itself: call it outside a transaction");
	return KEHU_OK;
}

KEHU_API int kehu_rules_classify_all(kehu_db *db, const kehu_rules *rules,
                                     int64_t now,
                                     const kehu_classify_options *opts,
                                     int64_t *classified_out)
{
	kehu_classify_options defaults;
	kehu_rules *segment = NULL;
	classify_run run;
	size_t slot = 0, i, nnames;
	int rc;

	if (classified_out)
		*classified_out = 0;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	kehu_classify_options_init(&defaults, KEHU_CLASSIFY_OPTIONS_VERSION);
	if (!opts)
		opts = &defaults;
	if ((rc = check_classify(db, rules, opts)) != KEHU_OK ||
	    (rc = kehu__check_time(db, "now", now)) != KEHU_OK)
		return rc;
	if (opts->segment &&
	    (rc = compile_query(db, rules, opts->segment, &segment)))
		return rc;
	memset(&run, 0, sizeof run);
	nnames = rules->nclasses + rules->nscores;
	run.db = db;
	run.rules = rules;
	run.eval = segment ? segment : rules;
	run.o = opts;
	run.now = now;
	run.total = kehu_db_customer_count(db);
	kehu__buf_init(&run.pending, &db->alloc);
	kehu__buf_init(&run.rec, &db->alloc);
	kehu__buf_init(&run.pairs, &db->alloc);
	rc = kehu__rpop_compute(db, run.eval, now, &run.pop);
	if (rc == KEHU_OK)
		rc = kehu__view_seq_begin(db, &run.seq, now);
	if (rc == KEHU_OK && !(run.items = kehu__calloc(&db->alloc,
	                                                run.eval->nitems + 1,
	                                                sizeof(double))))
		rc = kehu__db_nomem(db);
	if (rc == KEHU_OK)
		kehu__reval_begin(&run.ctx, run.eval, run.items);
	if (rc == KEHU_OK &&
	    !(run.names = kehu__calloc(&db->alloc, nnames + 1,
	                               sizeof *run.names)))
		rc = kehu__db_nomem(db);
	/* names is NULL only once kehu__db_nomem (model/db.c, unseen by
	 * the analyzer) set rc to KEHU_ENOMEM */
	for (i = 0; rc == KEHU_OK && i < nnames; i++)
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		run.names[i] = i < rules->nclasses
			? kehu_rules_classification_name(rules, i)
			: kehu_rules_score_name(rules, i - rules->nclasses);
	if (rc == KEHU_OK)
		rc = encode_pairs(&run);
	while (rc == KEHU_OK && slot < run.pop.nslots)
		rc = run_batch(&run, &slot);
	if (run.pair_at)
		kehu__free(&db->alloc, run.pair_at,
		           (rules->nrules + rules->nscores + 1) *
		                   sizeof *run.pair_at);
	kehu__buf_free(&run.pairs);
	kehu__free(&db->alloc, run.names, (nnames + 1) * sizeof *run.names);
	kehu__free(&db->alloc, run.items,
	           (run.eval->nitems + 1) * sizeof(double));
	kehu__view_seq_end(db, &run.seq);
	kehu__rpop_free(db, run.eval, &run.pop);
	kehu__buf_free(&run.pending);
	kehu__buf_free(&run.rec);
	kehu_rules_free(segment);
	if (classified_out)
		*classified_out = run.done;
	return rc == KEHU_OK ? kehu__db_ok(db) : rc;
}
