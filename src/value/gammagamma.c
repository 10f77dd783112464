/*
 * value/gammagamma: the Gamma-Gamma spend model (numerical core).
 *
 * zbar, the mean of x gamma(p, nu) values, is gamma(p x, nu x); nu is
 * gamma(q, gamma) across customers, so
 *   f(zbar) = Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q
 *             zbar^(px-1) x^(px) / (gamma + x zbar)^(px+q).
 */
#include "value/gammagamma.h"

#include <math.h>

#include "core/lgamma.h"

#include "kehu/errors.h"
#include "value/hyp2f1.h"

static int
params_ok(const kehu__gammagamma_params *p)
{
	return p && isfinite(p->p) && isfinite(p->q) &&
	       isfinite(p->gamma) && p->p > 0.0 && p->q > 0.0 &&
	       p->gamma > 0.0;
}

/* per-x terms for integer x below XCACHE, computed once per call */
#define XCACHE 128

typedef struct xterms {
	double lg;   /* kehu__lgamma(px+q) - kehu__lgamma(px) + px log x */
	double dp;   /* psi(px+q) - psi(px) + log x */
	double dq;   /* psi(px+q) */
	double lx;
} xterms;

static void
x_terms(double p, double q, double x, int grad, xterms *t)
{
	double px = p * x;

	t->lx = log(x);
	t->lg = kehu__lgamma(px + q) - kehu__lgamma(px) + px * t->lx;
	if (grad) {
		t->dq = kehu__digamma(px + q);
		t->dp = t->dq - kehu__digamma(px) + t->lx;
	} else {
		t->dq = t->dp = 0.0;
	}
}

static int
loglik_grad(const kehu__gammagamma_params *pp, const kehu__spend_row *rows,
            size_t n, double *ll, double *grad)
{
	double p, q, g, lgq, lg, psq = 0.0, sum = 0.0;
	double d[3] = {0, 0, 0};
	xterms cache[XCACHE];
	unsigned char have[XCACHE] = {0};
	size_t i;

	if (!params_ok(pp) || (!rows && n))
		return KEHU_EINVAL;
	p = pp->p;
	q = pp->q;
	g = pp->gamma;
	lgq = kehu__lgamma(q);
	lg = log(g);
	if (grad)
		psq = kehu__digamma(q);
	for (i = 0; i < n; i++) {
		double x = rows[i].x, z = rows[i].zbar, w = rows[i].weight;
		double px, lz, lgz;
		xterms own, *t = &own;

		if (x <= 0.0 || w == 0.0)
			continue;
		if (!(z > 0.0) || !isfinite(z) || !isfinite(x))
			return KEHU_EINVAL;
		if (x < XCACHE && x == floor(x)) {
			t = &cache[(int)x];
			if (!have[(int)x]) {
				x_terms(p, q, x, grad != NULL, t);
				have[(int)x] = 1;
			}
		} else {
			x_terms(p, q, x, grad != NULL, t);
		}
		px = p * x;
		lz = log(z);
		lgz = log(g + x * z);
		sum += w * (t->lg - lgq + q * lg + (px - 1.0) * lz -
		            (px + q) * lgz);
		if (grad) {
			d[0] += w * x * (t->dp + lz - lgz);
			d[1] += w * (t->dq - psq + lg - lgz);
			d[2] += w * (q / g - (px + q) / (g + x * z));
		}
	}
	if (ll)
		*ll = sum;
	if (grad) {
		grad[0] = d[0];
		grad[1] = d[1];
		grad[2] = d[2];
	}
	return isfinite(sum) ? KEHU_OK : KEHU_ERANGE;
}

int
kehu__gammagamma_loglik(const kehu__gammagamma_params *p,
                        const kehu__spend_row *rows, size_t n, double *out)
{
	if (!out)
		return KEHU_EINVAL;
	return loglik_grad(p, rows, n, out, NULL);
}

typedef struct fit_data {
	const kehu__spend_row *rows;
	size_t n;
} fit_data;

static double
objective(const double *th, double *grad, void *ud)
{
	const fit_data *d = ud;
	kehu__gammagamma_params p;
	double ll, g[3] = {0}; /* cppcheck: written by the call below */

	p.p = exp(th[0]);
	p.q = exp(th[1]);
	p.gamma = exp(th[2]);
	if (loglik_grad(&p, d->rows, d->n, &ll, grad ? g : NULL) != KEHU_OK)
		return INFINITY;
	if (grad) {
		grad[0] = -g[0] * p.p;
		grad[1] = -g[1] * p.q;
		grad[2] = -g[2] * p.gamma;
	}
	return -ll;
}

int
kehu__gammagamma_fit(const kehu__spend_row *rows, size_t n,
                     kehu__gammagamma_params *out, kehu__fit_info *info)
{
	kehu__optim_problem pb = {0};
	kehu__optim_result res;
	fit_data d;
	double th[3], sw = 0.0, sz = 0.0;
	size_t i;
	int rc;

	if (!out || !rows || n == 0)
		return KEHU_EINVAL;
	for (i = 0; i < n; i++) {
		if (!(rows[i].weight >= 0.0) || !isfinite(rows[i].weight))
			return KEHU_EINVAL;
		if (rows[i].x > 0.0) {
			if (!(rows[i].zbar > 0.0))
				return KEHU_EINVAL;
			sw += rows[i].weight;
			sz += rows[i].weight * rows[i].zbar;
		}
	}
	if (!(sw > 0.0))
		return KEHU_EINVAL;
	d.rows = rows;
	d.n = n;
	pb.fn = objective;
	pb.user_data = &d;
	pb.n = 3;
	pb.has_grad = 1;
	pb.max_iter = 1000;
	pb.gtol = 1e-8 * sw;
	/* gamma scales with the money unit: start it at the mean spend */
	th[0] = 0.0;
	th[1] = 0.0;
	th[2] = log(sz / sw);
	rc = kehu__optim_minimize(&pb, th, &res);
	if (rc != KEHU_OK)
		return rc == KEHU_EINVAL ? KEHU_ERANGE : rc;
	out->p = exp(th[0]);
	out->q = exp(th[1]);
	out->gamma = exp(th[2]);
	kehu__fit_info_set(info, &res);
	return KEHU_OK;
}

int
kehu__gammagamma_stderr(const kehu__gammagamma_params *p,
                        const kehu__spend_row *rows, size_t n, double *se)
{
	kehu__optim_problem pb = {0};
	fit_data d;
	double th[3];

	if (!params_ok(p) || !rows || n == 0 || !se)
		return KEHU_EINVAL;
	d.rows = rows;
	d.n = n;
	pb.fn = objective;
	pb.user_data = &d;
	pb.n = 3;
	pb.has_grad = 1;
	th[0] = log(p->p);
	th[1] = log(p->q);
	th[2] = log(p->gamma);
	return kehu__optim_se_exp(&pb, th, se);
}

int
kehu__gammagamma_expected_spend(const kehu__gammagamma_params *p, double x,
                                double zbar, double *out)
{
	double den;

	if (!params_ok(p) || !out || !(x >= 0.0) || !isfinite(x) ||
	    (x > 0.0 && (!(zbar >= 0.0) || !isfinite(zbar))))
		return KEHU_EINVAL;
	if (x == 0.0)
		zbar = 0.0;
	den = p->p * x + p->q - 1.0;
	if (!(den > 0.0))
		return KEHU_ERANGE;
	*out = p->p * (p->gamma + x * zbar) / den;
	return KEHU_OK;
}
