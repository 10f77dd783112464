/*
 * codec/model: encoding of stored models.  Fields: 1 kind, 2 period,
 * 3 parameter (repeated, in order), 4 log-likelihood, 5 iterations,
 * 6 converged, 7 standard error (repeated, in parameter order; absent
 * when not computed), 8 spend correlation (Gamma-Gamma).
 */
#include "codec/model.h"

#include <math.h>
#include <string.h>

#include "codec/record.h"
#include "kehu/errors.h"

void kehu__model_rec_encode(kehu__buf *b, const kehu__model_rec *m)
{
	size_t i;

	kehu__buf_reset(b);
	kehu__rec_begin(b);
	kehu__rec_i64(b, 1, m->kind);
	kehu__rec_i64(b, 2, m->period);
	for (i = 0; i < m->nparams; i++)
		kehu__rec_f64(b, 3, m->params[i]);
	kehu__rec_f64(b, 4, m->loglik);
	kehu__rec_i64(b, 5, m->iterations);
	kehu__rec_i64(b, 6, m->converged);
	for (i = 0; i < m->nse; i++)
		kehu__rec_f64(b, 7, m->se[i]);
	if (!isnan(m->spend_correlation))
		kehu__rec_f64(b, 8, m->spend_correlation);
}

static int model_field(const kehu__rec_field *f, void *ctx)
{
	kehu__model_rec *m = ctx;
	int want = f->number == 3 || f->number == 4 || f->number >= 7
	                   ? KEHU__WIRE_F64
	                   : KEHU__WIRE_VARINT;

	if (f->number < 1 || f->number > 8)
		return KEHU_OK;
	if (f->wire != want)
		return KEHU_ECORRUPT;
	switch (f->number) {
	case 1: m->kind = (int32_t)kehu__rec_as_i64(f); break;
	case 2: m->period = kehu__rec_as_i64(f); break;
	case 3:
		if (m->nparams == 4)
			return KEHU_ECORRUPT;
		m->params[m->nparams++] = kehu__rec_as_f64(f);
		break;
	case 4: m->loglik = kehu__rec_as_f64(f); break;
	case 5: m->iterations = (int32_t)kehu__rec_as_i64(f); break;
	case 6: m->converged = (int32_t)kehu__rec_as_i64(f); break;
	case 7:
		if (m->nse == 4)
			return KEHU_ECORRUPT;
		m->se[m->nse++] = kehu__rec_as_f64(f);
		break;
	default: m->spend_correlation = kehu__rec_as_f64(f); break;
	}
	return KEHU_OK;
}

int kehu__model_rec_decode(kehu__model_rec *m, const void *p, size_t n)
{
	memset(m, 0, sizeof *m);
	m->spend_correlation = NAN;
	return kehu__rec_decode(p, n, model_field, m);
}
