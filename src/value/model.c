/*
 * value/model: the public face of the value models: fit on a db's
 * summaries, read the parameters, predict.  The numbers come from
 * bgnbd.c, paretonbd.c and gammagamma.c.
 */
#include <math.h>
#include <string.h>

#include "codec/keys.h"
#include "codec/model.h"
#include "kehu/value.h"
#include "model/fields.h"
#include "model/db.h"
#include "value/bgnbd.h"
#include "value/gammagamma.h"
#include "value/model.h"
#include "value/paretonbd.h"

static const char param_names[3][4][6] = {
	{"r", "alpha", "a", "b"},
	{"r", "alpha", "s", "beta"},
	{"p", "q", "gamma", ""}};

/* The db's summaries in db-allocated arrays. */
typedef struct summaries {
	kehu_id *id;
	double *x, *tx, *T, *z;
	size_t n;
} summaries;

static void summaries_free(kehu_db *db, summaries *s)
{
	kehu__free(&db->alloc, s->id, s->n * sizeof *s->id);
	kehu__free(&db->alloc, s->x, s->n * sizeof *s->x);
	kehu__free(&db->alloc, s->tx, s->n * sizeof *s->tx);
	kehu__free(&db->alloc, s->T, s->n * sizeof *s->T);
	kehu__free(&db->alloc, s->z, s->n * sizeof *s->z);
	memset(s, 0, sizeof *s);
}

static int summaries_read(kehu_db *db, int64_t end, int64_t period,
                          summaries *s)
{
	size_t n = 0;
	int rc;

	memset(s, 0, sizeof *s);
	rc = kehu_value_summaries(db, end, period, NULL, NULL, NULL, NULL,
	                          NULL, 0, &n);
	if (rc != KEHU_EBUFS)
		return rc == KEHU_OK
			? kehu__db_error(db, KEHU_EINVAL, "no customer bought "
			                 "before the calibration end: nothing "
			                 "to fit")
			: rc;
	s->n = n;
	s->id = kehu__calloc(&db->alloc, n, sizeof *s->id);
	s->x = kehu__calloc(&db->alloc, n, sizeof *s->x);
	s->tx = kehu__calloc(&db->alloc, n, sizeof *s->tx);
	s->T = kehu__calloc(&db->alloc, n, sizeof *s->T);
	s->z = kehu__calloc(&db->alloc, n, sizeof *s->z);
	if (!s->id || !s->x || !s->tx || !s->T || !s->z) {
		summaries_free(db, s);
		return kehu__db_nomem(db);
	}
	rc = kehu_value_summaries(db, end, period, s->id, s->x, s->tx, s->T,
	                          s->z, n, &n);
	if (rc != KEHU_OK)
		summaries_free(db, s);
	return rc;
}

/* Standard errors on the distinct rows (the Hessian costs ~8 gradients,
 * cheap on CDNOW's ~1,900 distinct rows of 23,570).  A Hessian that is
 * not positive definite leaves se_ok 0: the fit stands, its errors are
 * unknown. */
static int counts_stderr(kehu_db *db, kehu_model *m,
                         const kehu__rfm_row *rows, size_t n)
{
	kehu__bgnbd_params b;
	kehu__paretonbd_params p;
	kehu__rfm_row *u;
	size_t nu;
	int rc;

	if (kehu__summary_compress(&db->alloc, rows, n, &u, &nu) != KEHU_OK)
		return KEHU_ENOMEM;
	if (m->kind == KEHU_MODEL_BGNBD) {
		b.r = m->params[0];
		b.alpha = m->params[1];
		b.a = m->params[2];
		b.b = m->params[3];
		rc = kehu__bgnbd_stderr(&b, u, nu, m->info.se);
	} else {
		p.r = m->params[0];
		p.alpha = m->params[1];
		p.s = m->params[2];
		p.beta = m->params[3];
		rc = kehu__paretonbd_stderr(&p, u, nu, m->info.se);
	}
	m->info.se_ok = rc == KEHU_OK;
	kehu__free(&db->alloc, u, nu * sizeof *u);
	return KEHU_OK;
}

static int fit_counts(kehu_db *db, kehu_model *m, const summaries *s)
{
	kehu__rfm_row *rows = kehu__calloc(&db->alloc, s->n, sizeof *rows);
	kehu__bgnbd_params b;
	kehu__paretonbd_params p;
	size_t i;
	int rc;

	if (!rows)
		return kehu__db_nomem(db);
	for (i = 0; i < s->n; i++) {
		rows[i].x = s->x[i];
		rows[i].t_x = s->tx[i];
		rows[i].T = s->T[i];
		rows[i].weight = 1;
	}
	if (m->kind == KEHU_MODEL_BGNBD) {
		rc = kehu__bgnbd_fit(rows, s->n, &b, &m->info);
		m->params[0] = b.r;
		m->params[1] = b.alpha;
		m->params[2] = b.a;
		m->params[3] = b.b;
	} else {
		rc = kehu__paretonbd_fit(rows, s->n, &p, &m->info);
		m->params[0] = p.r;
		m->params[1] = p.alpha;
		m->params[2] = p.s;
		m->params[3] = p.beta;
	}
	if (rc == KEHU_OK)
		rc = counts_stderr(db, m, rows, s->n);
	kehu__free(&db->alloc, rows, s->n * sizeof *rows);
	return rc;
}

/* Pearson correlation of x and zbar; 0 when undefined. */
static double correlation(const kehu__spend_row *rows, size_t n)
{
	double mx = 0, mz = 0, sxx = 0, szz = 0, sxz = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		mx += rows[i].x;
		mz += rows[i].zbar;
	}
	if (n < 2)
		return 0;
	mx /= (double)n;
	mz /= (double)n;
	for (i = 0; i < n; i++) {
		double dx = rows[i].x - mx, dz = rows[i].zbar - mz;

		sxx += dx * dx;
		szz += dz * dz;
		sxz += dx * dz;
	}
	return sxx > 0 && szz > 0 ? sxz / sqrt(sxx * szz) : 0;
}

static int fit_spend(kehu_db *db, kehu_model *m, const summaries *s)
{
	kehu__spend_row *rows = kehu__calloc(&db->alloc, s->n, sizeof *rows);
	kehu__gammagamma_params g = {0, 0, 0};
	size_t i, k = 0;
	int rc;

	if (!rows)
		return kehu__db_nomem(db);
	/* repeat buyers with a positive mean spend carry information */
	for (i = 0; i < s->n; i++) {
		if (s->x[i] <= 0 || s->z[i] <= 0)
			continue;
		rows[k].x = s->x[i];
		rows[k].zbar = s->z[i];
		rows[k].weight = 1;
		k++;
	}
	m->spend_correlation = correlation(rows, k);
	rc = k ? kehu__gammagamma_fit(rows, k, &g, &m->info) : KEHU_EINVAL;
	m->params[0] = g.p;
	m->params[1] = g.q;
	m->params[2] = g.gamma;
	if (rc == KEHU_OK)
		m->info.se_ok = kehu__gammagamma_stderr(&g, rows, k,
		                                        m->info.se) == KEHU_OK;
	kehu__free(&db->alloc, rows, s->n * sizeof *rows);
	return rc;
}

KEHU_API int kehu_model_fit(kehu_model **out, kehu_db *db, int32_t kind,
                            int64_t calibration_end,
                            int64_t period_seconds)
{
	summaries s;
	kehu_model *m;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out || kind < KEHU_MODEL_BGNBD || kind > KEHU_MODEL_GAMMAGAMMA)
		return kehu__db_errori(db, KEHU_EINVAL,
		                       "kehu_model_fit: out is NULL or kind ",
		                       kind, " is unknown");
	if ((rc = summaries_read(db, calibration_end, period_seconds, &s)))
		return rc;
	if (!(m = kehu__calloc(&db->alloc, 1, sizeof *m))) {
		summaries_free(db, &s);
		return kehu__db_nomem(db);
	}
	m->alloc = db->alloc;
	m->kind = kind;
	m->period = period_seconds;
	m->spend_correlation = NAN;
	rc = kind == KEHU_MODEL_GAMMAGAMMA ? fit_spend(db, m, &s)
	                                   : fit_counts(db, m, &s);
	summaries_free(db, &s);
	if (rc != KEHU_OK) {
		kehu_model_free(m);
		if (rc == KEHU_ENOMEM)
			return kehu__db_nomem(db);
		return kehu__db_error(db, rc == KEHU_EINVAL ? rc : KEHU_ERANGE,
		                      "the model could not be fitted to these "
		                      "customers");
	}
	*out = m;
	return kehu__db_ok(db);
}

KEHU_API void kehu_model_free(kehu_model *m)
{
	if (m) {
		kehu__allocator a = m->alloc;

		kehu__free(&a, m, sizeof *m);
	}
}

KEHU_API double kehu_model_get_spend_correlation(const kehu_model *m)
{
	return m ? m->spend_correlation : NAN;
}

KEHU_API const char *kehu_model_get_warning(const kehu_model *m,
                                            int32_t *code_out)
{
	int bad = m && m->kind == KEHU_MODEL_GAMMAGAMMA &&
	          fabs(m->spend_correlation) > KEHU_SPEND_CORRELATION_LIMIT;

	if (code_out)
		*code_out = bad ? KEHU_ERANGE : KEHU_OK;
	return bad ? "frequency and spend are correlated beyond 0.3: the "
	             "Gamma-Gamma model assumes they are independent"
	           : NULL;
}

KEHU_API int32_t kehu_model_get_kind(const kehu_model *m)
{
	return m ? m->kind : 0;
}

KEHU_API int64_t kehu_model_get_period(const kehu_model *m)
{
	return m ? m->period : 0;
}

KEHU_API size_t kehu_model_param_count(const kehu_model *m)
{
	return !m ? 0 : m->kind == KEHU_MODEL_GAMMAGAMMA ? 3 : 4;
}

KEHU_API double kehu_model_get_param(const kehu_model *m, size_t i)
{
	return i < kehu_model_param_count(m) ? m->params[i] : NAN;
}

KEHU_API const char *kehu_model_param_name(const kehu_model *m, size_t i)
{
	return i < kehu_model_param_count(m) ? param_names[m->kind - 1][i]
	                                     : NULL;
}

KEHU_API double kehu_model_get_stderr(const kehu_model *m, size_t i)
{
	return i < kehu_model_param_count(m) && m->info.se_ok ? m->info.se[i]
	                                                      : NAN;
}

KEHU_API double kehu_model_get_loglik(const kehu_model *m)
{
	return m ? m->info.loglik : NAN;
}

KEHU_API int32_t kehu_model_get_iterations(const kehu_model *m)
{
	return m ? m->info.iterations : 0;
}

KEHU_API int32_t kehu_model_get_converged(const kehu_model *m)
{
	return m ? m->info.converged : 0;
}

static void as_bgnbd(const kehu_model *m, kehu__bgnbd_params *p)
{
	p->r = m->params[0];
	p->alpha = m->params[1];
	p->a = m->params[2];
	p->b = m->params[3];
}

static void as_paretonbd(const kehu_model *m, kehu__paretonbd_params *p)
{
	p->r = m->params[0];
	p->alpha = m->params[1];
	p->s = m->params[2];
	p->beta = m->params[3];
}

KEHU_API int kehu_model_expected_purchases(const kehu_model *m, double x,
                                           double t_x, double T, double t,
                                           int32_t is_new, double *out)
{
	kehu__bgnbd_params b;
	kehu__paretonbd_params p;

	if (!m || !out || m->kind == KEHU_MODEL_GAMMAGAMMA)
		return KEHU_EINVAL;
	if (m->kind == KEHU_MODEL_BGNBD) {
		as_bgnbd(m, &b);
		return is_new ? kehu__bgnbd_expected(&b, t, out)
		              : kehu__bgnbd_conditional(&b, x, t_x, T, t, out);
	}
	as_paretonbd(m, &p);
	return is_new ? kehu__paretonbd_expected(&p, t, out)
	              : kehu__paretonbd_conditional(&p, x, t_x, T, t, out);
}

KEHU_API int kehu_model_p_alive(const kehu_model *m, double x, double t_x,
                                double T, double *out)
{
	kehu__bgnbd_params b;
	kehu__paretonbd_params p;

	if (!m || !out || m->kind == KEHU_MODEL_GAMMAGAMMA)
		return KEHU_EINVAL;
	if (m->kind == KEHU_MODEL_BGNBD) {
		as_bgnbd(m, &b);
		return kehu__bgnbd_palive(&b, x, t_x, T, out);
	}
	as_paretonbd(m, &p);
	return kehu__paretonbd_palive(&p, x, t_x, T, out);
}

KEHU_API int kehu_model_expected_spend(const kehu_model *m, double x,
                                       double mean_spend, double *out)
{
	kehu__gammagamma_params g;

	if (!m || !out || m->kind != KEHU_MODEL_GAMMAGAMMA)
		return KEHU_EINVAL;
	g.p = m->params[0];
	g.q = m->params[1];
	g.gamma = m->params[2];
	return kehu__gammagamma_expected_spend(&g, x, mean_spend, out);
}

KEHU_API int kehu_model_save(kehu_db *db, const kehu_model *m,
                             const char *name)
{
	kehu__model_rec rec;
	size_t i;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!m)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_model_save: model is NULL");
	if ((rc = kehu__check_text(db, "model name", name, 1, 256)))
		return rc;
	memset(&rec, 0, sizeof rec);
	rec.kind = m->kind;
	rec.period = m->period;
	rec.nparams = kehu_model_param_count(m);
	for (i = 0; i < rec.nparams; i++)
		rec.params[i] = m->params[i];
	rec.loglik = m->info.loglik;
	rec.iterations = m->info.iterations;
	rec.converged = m->info.converged;
	rec.nse = m->info.se_ok ? rec.nparams : 0;
	for (i = 0; i < rec.nse; i++)
		rec.se[i] = m->info.se[i];
	rec.spend_correlation = m->spend_correlation;
	kehu__key_model(&db->key, name);
	kehu__model_rec_encode(&db->val, &rec);
	if ((rc = kehu__op_begin(db)) != KEHU_OK)
		return rc;
	return kehu__op_end(db, kehu__op_put(db, &db->key, &db->val));
}

KEHU_API int kehu_model_load(kehu_model **out, kehu_db *db,
                             const char *name)
{
	kehu__model_rec rec;
	kehu_model *m;
	size_t i;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_model_load: out is NULL");
	if ((rc = kehu__check_text(db, "model name", name, 1, 256)))
		return rc;
	kehu__key_model(&db->key, name);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_error3(db, rc, "no model named '", name,
		                       "' is stored");
	if (rc != KEHU_OK)
		return rc;
	if (kehu__model_rec_decode(&rec, db->val.data, db->val.len) !=
	            KEHU_OK ||
	    rec.kind < KEHU_MODEL_BGNBD || rec.kind > KEHU_MODEL_GAMMAGAMMA ||
	    rec.nparams != (rec.kind == KEHU_MODEL_GAMMAGAMMA ? 3u : 4u))
		return kehu__db_error3(db, KEHU_ECORRUPT, "stored model '",
		                       name, "' does not decode");
	if (!(m = kehu__calloc(&db->alloc, 1, sizeof *m)))
		return kehu__db_nomem(db);
	m->alloc = db->alloc;
	m->spend_correlation = rec.spend_correlation;
	m->kind = rec.kind;
	m->period = rec.period;
	for (i = 0; i < rec.nparams; i++)
		m->params[i] = rec.params[i];
	m->info.loglik = rec.loglik;
	m->info.iterations = rec.iterations;
	m->info.converged = rec.converged;
	m->info.se_ok = rec.nse == rec.nparams;
	for (i = 0; i < rec.nse; i++)
		m->info.se[i] = rec.se[i];
	*out = m;
	return kehu__db_ok(db);
}
