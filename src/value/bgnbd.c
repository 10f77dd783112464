/*
 * value/bgnbd: the BG/NBD model (numerical core): likelihood with its
 * analytic gradient, the fit, expectations and P(alive).
 *
 * Per customer, with A = lgamma terms of x only,
 *   log L = A + log(e^A3 + [x > 0] e^A4),
 *   A3 = -(r+x) log(alpha+T),
 *   A4 = log a - log(b+x-1) - (r+x) log(alpha+t_x).
 * The lgamma/digamma terms depend on x alone and are computed once per
 * run of equal x (rows sorted by x make that once per distinct x).
 */
#include "value/bgnbd.h"

#include <float.h>
#include <math.h>

#include "core/lgamma.h"

#include "kehu/errors.h"
#include "value/hyp2f1.h"

static int
params_ok(const kehu__bgnbd_params *p)
{
	return p && isfinite(p->r) && isfinite(p->alpha) &&
	       isfinite(p->a) && isfinite(p->b) && p->r > 0.0 &&
	       p->alpha > 0.0 && p->a > 0.0 && p->b > 0.0;
}

int
kehu__bgnbd_loglik_grad(const kehu__bgnbd_params *p,
                        const kehu__rfm_row *rows, size_t n, double *ll,
                        double *grad)
{
	double r, al, a, b, sum = 0.0, g[4] = {0, 0, 0, 0};
	double cx = -1.0, lx = 0.0, gr = 0.0, ga = 0.0, gb = 0.0;
	double lab, lgr, lgb, psr, psb, psab, la, lal, lbx = 0.0;
	size_t i;

	if (!params_ok(p) || (!rows && n))
		return KEHU_EINVAL;
	r = p->r;
	al = p->alpha;
	a = p->a;
	b = p->b;
	lab = kehu__lgamma(a + b);
	lgr = kehu__lgamma(r);
	lgb = kehu__lgamma(b);
	la = log(a);
	lal = log(al);
	if (grad) {
		psr = kehu__digamma(r);
		psb = kehu__digamma(b);
		psab = kehu__digamma(a + b);
	} else {
		psr = psb = psab = 0.0;
	}
	for (i = 0; i < n; i++) {
		const kehu__rfm_row *row = &rows[i];
		double x = row->x, w = row->weight, l3, l4, lt, w4, rx;

		if (w == 0.0)
			continue;
		if (x != cx) {
			cx = x;
			lx = kehu__lgamma(r + x) - lgr + r * lal + lab +
			     kehu__lgamma(b + x) - lgb - kehu__lgamma(a + b + x);
			lbx = x > 0.0 ? log(b + x - 1.0) : 0.0;
			if (grad) {
				double pabx = kehu__digamma(a + b + x);

				gr = kehu__digamma(r + x) - psr + lal;
				ga = psab - pabx;
				gb = psab + kehu__digamma(b + x) - psb - pabx;
			}
		}
		rx = r + x;
		lt = log(al + row->T);
		l3 = -rx * lt;
		if (x > 0.0) {
			double ltx = log(al + row->t_x);
			double m, d;

			l4 = la - lbx - rx * ltx;
			m = l3 > l4 ? l3 : l4;
			d = exp(-fabs(l3 - l4));
			sum += w * (lx + m + log1p(d));
			if (grad) {
				w4 = l4 >= l3 ? 1.0 / (1.0 + d) :
				     d / (1.0 + d);
				g[0] += w * (gr - (1.0 - w4) * lt -
				             w4 * ltx);
				g[1] += w * (r / al - rx * ((1.0 - w4) /
				             (al + row->T) + w4 /
				             (al + row->t_x)));
				g[2] += w * (ga + w4 / a);
				g[3] += w * (gb - w4 / (b + x - 1.0));
			}
		} else {
			sum += w * (lx + l3);
			if (grad) {
				g[0] += w * (gr - lt);
				g[1] += w * (r / al - rx / (al + row->T));
				g[2] += w * ga;
				g[3] += w * gb;
			}
		}
	}
	if (ll)
		*ll = sum;
	if (grad) {
		for (i = 0; i < 4; i++)
			grad[i] = g[i];
	}
	return isfinite(sum) ? KEHU_OK : KEHU_ERANGE;
}

int
kehu__bgnbd_loglik(const kehu__bgnbd_params *p, const kehu__rfm_row *rows,
                   size_t n, double *out)
{
	if (!out)
		return KEHU_EINVAL;
	return kehu__bgnbd_loglik_grad(p, rows, n, out, NULL);
}

typedef struct fit_data {
	const kehu__rfm_row *rows;
	size_t n;
} fit_data;

static double
objective(const double *th, double *grad, void *ud)
{
	const fit_data *d = ud;
	kehu__bgnbd_params p;
	double ll, g[4] = {0}; /* cppcheck: written by the call below */
	int i;

	p.r = exp(th[0]);
	p.alpha = exp(th[1]);
	p.a = exp(th[2]);
	p.b = exp(th[3]);
	if (kehu__bgnbd_loglik_grad(&p, d->rows, d->n, &ll,
	                            grad ? g : NULL) != KEHU_OK)
		return INFINITY;
	if (grad) {
		grad[0] = -g[0] * p.r;
		grad[1] = -g[1] * p.alpha;
		grad[2] = -g[2] * p.a;
		grad[3] = -g[3] * p.b;
		for (i = 0; i < 4; i++)
			if (!isfinite(grad[i]))
				return INFINITY;
	}
	return -ll;
}

int
kehu__bgnbd_fit(const kehu__rfm_row *rows, size_t n,
                kehu__bgnbd_params *out, kehu__fit_info *info)
{
	kehu__optim_problem pb = {0};
	kehu__optim_result res;
	fit_data d;
	double th[4], sw, mean_T;
	int rc;

	if (!out || kehu__summary_scale(rows, n, &sw, &mean_T) != KEHU_OK)
		return KEHU_EINVAL;
	d.rows = rows;
	d.n = n;
	pb.fn = objective;
	pb.user_data = &d;
	pb.n = 4;
	pb.has_grad = 1;
	pb.max_iter = 1000;
	/* relative to the size of the data: |dLL/dlog p| per customer */
	pb.gtol = 1e-8 * sw;
	/* alpha starts at the mean observation time: the fit (and its
	 * iteration count) does not depend on the time unit */
	th[0] = 0.0;
	th[1] = log(mean_T);
	th[2] = 0.0;
	th[3] = 0.0;
	rc = kehu__optim_minimize(&pb, th, &res);
	if (rc != KEHU_OK)
		return rc == KEHU_EINVAL ? KEHU_ERANGE : rc;
	out->r = exp(th[0]);
	out->alpha = exp(th[1]);
	out->a = exp(th[2]);
	out->b = exp(th[3]);
	kehu__fit_info_set(info, &res);
	return KEHU_OK;
}

int
kehu__bgnbd_stderr(const kehu__bgnbd_params *p,
                   const kehu__rfm_row *rows, size_t n, double *se)
{
	kehu__optim_problem pb = {0};
	fit_data d;
	double th[4];

	if (!params_ok(p) || !rows || n == 0 || !se)
		return KEHU_EINVAL;
	d.rows = rows;
	d.n = n;
	pb.fn = objective;
	pb.user_data = &d;
	pb.n = 4;
	pb.has_grad = 1;
	th[0] = log(p->r);
	th[1] = log(p->alpha);
	th[2] = log(p->a);
	th[3] = log(p->b);
	return kehu__optim_se_exp(&pb, th, se);
}

/* 1 - exp(l) * sign: the bracket of the expectations. */
static double
one_minus(double l, int sign)
{
	if (sign == 0)
		return 1.0;
	if (sign > 0)
		return -expm1(l);
	return 1.0 + exp(l);
}

/* a too close to 1 makes (a+b-1)/(a-1) 0/0; the limit is smooth */
static double
away_from_one(double a)
{
	if (fabs(a - 1.0) < 1e-7)
		return a < 1.0 ? 1.0 - 1e-7 : 1.0 + 1e-7;
	return a;
}

int
kehu__bgnbd_expected(const kehu__bgnbd_params *p, double t, double *out)
{
	double a, lf, l, z;
	int s, rc;

	if (!params_ok(p) || !out || !(t >= 0.0) || !isfinite(t))
		return KEHU_EINVAL;
	if (t == 0.0) {
		*out = 0.0;
		return KEHU_OK;
	}
	a = away_from_one(p->a);
	z = t / (p->alpha + t);
	rc = kehu__hyp2f1_log(p->r, p->b, a + p->b - 1.0, z, &lf, &s);
	if (rc != KEHU_OK)
		return rc;
	l = p->r * (log(p->alpha) - log(p->alpha + t)) + lf;
	*out = (a + p->b - 1.0) / (a - 1.0) * one_minus(l, s);
	if (!isfinite(*out))
		return KEHU_ERANGE;
	if (*out < 0.0)
		*out = 0.0;
	return KEHU_OK;
}

static int
args_ok(double x, double t_x, double T)
{
	return isfinite(x) && isfinite(t_x) && isfinite(T) && x >= 0.0 &&
	       T >= 0.0 && (x == 0.0 || (t_x >= 0.0 && t_x <= T));
}

int
kehu__bgnbd_palive(const kehu__bgnbd_params *p, double x, double t_x,
                   double T, double *out)
{
	double l;

	if (!params_ok(p) || !out || !args_ok(x, t_x, T))
		return KEHU_EINVAL;
	if (x == 0.0) {
		*out = 1.0;
		return KEHU_OK;
	}
	/* 1 / (1 + e^l), written so that neither branch overflows */
	l = log(p->a) - log(p->b + x - 1.0) + (p->r + x) *
	    (log(p->alpha + T) - log(p->alpha + t_x));
	if (l > 0.0)
		*out = exp(-l) / (1.0 + exp(-l));
	else
		*out = 1.0 / (1.0 + exp(l));
	return KEHU_OK;
}

int
kehu__bgnbd_conditional(const kehu__bgnbd_params *p, double x, double t_x,
                        double T, double t, double *out)
{
	double a, c, z, lf, l, pa;
	int s, rc;

	if (!params_ok(p) || !out || !args_ok(x, t_x, T) || !(t >= 0.0) ||
	    !isfinite(t))
		return KEHU_EINVAL;
	rc = kehu__bgnbd_palive(p, x, t_x, T, &pa);
	if (rc != KEHU_OK)
		return rc;
	if (t == 0.0 || pa == 0.0) {
		*out = 0.0;
		return KEHU_OK;
	}
	a = away_from_one(p->a);
	c = a + p->b + x - 1.0;
	z = t / (p->alpha + T + t);
	rc = kehu__hyp2f1_log(p->r + x, p->b + x, c, z, &lf, &s);
	if (rc != KEHU_OK)
		return rc;
	l = (p->r + x) * (log(p->alpha + T) - log(p->alpha + T + t)) + lf;
	*out = c / (a - 1.0) * one_minus(l, s) * pa;
	if (!isfinite(*out))
		return KEHU_ERANGE;
	if (*out < 0.0)
		*out = 0.0;
	return KEHU_OK;
}

/* The shared series: F[j] = 2F1(A, B; C; z[j]), z increasing, all
 * positive parameters.  KEHU_ERANGE when it would overflow or not
 * converge in STEPS_MAX_TERMS terms.  The smallest horizons converge
 * first and leave the loop (lo moves up); convergence is checked every
 * STEPS_CHECK terms, since the check costs more than the terms. */
#define STEPS_MAX_TERMS 1024
#define STEPS_CHECK 8
#define STEPS_EPS (4.0 * DBL_EPSILON)

static int
series_steps(double A, double B, double C, const double *z, size_t n,
             double *F)
{
	double zpow[KEHU__BGNBD_MAX_STEPS], coef = 1.0;
	size_t j, lo = 0;
	int k;

	for (j = 0; j < n; j++) {
		F[j] = 1.0;
		zpow[j] = 1.0;
	}
	for (k = 0; k < STEPS_MAX_TERMS; k++) {
		double fk = (double)k, fa, fb, ratio;

		coef *= (A + fk) * (B + fk) / ((C + fk) * (fk + 1.0));
		for (j = lo; j < n; j++) {
			zpow[j] *= z[j];
			F[j] += coef * zpow[j];
		}
		if ((k + 1) % STEPS_CHECK)
			continue;
		if (!isfinite(coef * zpow[n - 1]) || !isfinite(F[n - 1]))
			return KEHU_ERANGE;
		/* every later term ratio is below ratio z (see hyp2f1.c) */
		fa = (A + fk + 1.0) / (fk + 2.0);
		fb = (B + fk + 1.0) / (C + fk + 1.0);
		ratio = (fa > 1.0 ? fa : 1.0) * (fb > 1.0 ? fb : 1.0);
		while (lo < n && ratio * z[lo] < 1.0 &&
		       coef * zpow[lo] * ratio * z[lo] <=
		               STEPS_EPS * F[lo] * (1.0 - ratio * z[lo]))
			lo++;
		if (lo == n)
			return KEHU_OK;
	}
	return KEHU_ERANGE;
}

int
kehu__bgnbd_alive_steps(const kehu__bgnbd_params *p, double x, double T,
                        const double *t, size_t n, double *out)
{
	double z[KEHU__BGNBD_MAX_STEPS], F[KEHU__BGNBD_MAX_STEPS];
	double a, A, B, C, lead;
	size_t j;

	if (!params_ok(p) || !out || !t || !args_ok(x, 0.0, T) || n == 0 ||
	    n > KEHU__BGNBD_MAX_STEPS)
		return KEHU_EINVAL;
	a = away_from_one(p->a);
	A = p->r + x;
	B = p->b + x;
	C = a + p->b + x - 1.0;
	for (j = 0; j < n; j++) {
		if (!(t[j] > 0.0) || !isfinite(t[j]) || (j && t[j] < t[j - 1]))
			return KEHU_EINVAL;
		z[j] = t[j] / (p->alpha + T + t[j]);
	}
	/* linear space is safe while the terms stay modest; z near 1 or
	 * large x is the log-space path's work */
	if (C <= 0.0 || z[n - 1] > 0.95 || A > 200.0 ||
	    series_steps(A, B, C, z, n, F) != KEHU_OK)
		return KEHU_ERANGE;
	for (j = 0; j < n; j++) {
		lead = exp(A * log1p(-z[j]));
		out[j] = C / (a - 1.0) * (1.0 - lead * F[j]);
		if (!isfinite(out[j]))
			return KEHU_ERANGE;
		if (out[j] < 0.0)
			out[j] = 0.0;
	}
	return KEHU_OK;
}
