/*
 * value/paretonbd: the Pareto/NBD model (numerical core).
 *
 * Per customer (Fader & Hardie 2005, eq. 22):
 *   L = Gamma(r+x) alpha^r beta^s / Gamma(r) *
 *       [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 ],
 *   A0 = P(t_x) - P(T), with, for alpha >= beta,
 *   P(t) = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t))
 *          / (alpha+t)^(r+s+x)
 *   and for alpha < beta the roles swapped,
 *   P(t) = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t))
 *          / (beta+t)^(r+s+x).
 * The case split keeps the 2F1 argument in [0, 1); A0 is the integral
 * of (alpha+u)^-(r+x) (beta+u)^-(s+1) over [t_x, T], positive, and is
 * formed as a difference of logs.  Everything stays in log space, so
 * x = 1000 or T = 10000 do not overflow.
 */
#include "value/paretonbd.h"

#include <math.h>

#include "core/lgamma.h"

#include "kehu/errors.h"
#include "value/hyp2f1.h"

static int
params_ok(const kehu__paretonbd_params *p)
{
	return p && isfinite(p->r) && isfinite(p->alpha) &&
	       isfinite(p->s) && isfinite(p->beta) && p->r > 0.0 &&
	       p->alpha > 0.0 && p->s > 0.0 && p->beta > 0.0;
}

static int
args_ok(double x, double t_x, double T)
{
	return isfinite(x) && isfinite(t_x) && isfinite(T) && x >= 0.0 &&
	       T >= 0.0 && (x == 0.0 || (t_x >= 0.0 && t_x <= T));
}

/*
 * log 2F1(1, b; c; z) for 0 <= z <= 0.9, b < c: all terms positive and
 * falling by at least z, so the sum needs no rescaling; NAN beyond.
 */
static double
log_f1(double b, double c, double z)
{
	double sum = 1.0, term = 1.0, ratio;
	int n;

	if (z > 0.9 || !(b < c))
		return NAN;
	for (n = 0; n < 2000; n++) {
		ratio = (b + n) / (c + n) * z;
		term *= ratio;
		sum += term;
		if (term * ratio <= 1e-17 * sum * (1.0 - ratio))
			return log(sum);
	}
	return NAN;
}

/*
 * log P(t) as above, from the Euler-transformed form, which has positive
 * terms only:
 *   alpha >= beta: P(t) = (alpha+t)^-(r+x) (beta+t)^-s
 *                         2F1(1, r+x; m+1; z),
 *   alpha < beta:  P(t) = (alpha+t)^(1-r-x) (beta+t)^-(s+1)
 *                         2F1(1, s+1; m+1; z),
 * with la = log(alpha+t), lb = log(beta+t).  The general 2F1 takes
 * over when z is near 1.
 */
static int
log_p(const kehu__paretonbd_params *p, double x, double t, double la,
      double lb, double *out)
{
	double m = p->r + p->s + x, lf, z;
	int s, rc;

	if (p->alpha >= p->beta) {
		z = (p->alpha - p->beta) / (p->alpha + t);
		lf = log_f1(p->r + x, m + 1.0, z);
		if (!isnan(lf)) {
			*out = lf - (p->r + x) * la - p->s * lb;
			return KEHU_OK;
		}
		rc = kehu__hyp2f1_log(m, p->s + 1.0, m + 1.0, z, &lf, &s);
		if (rc == KEHU_OK)
			*out = lf - m * la;
	} else {
		z = (p->beta - p->alpha) / (p->beta + t);
		lf = log_f1(p->s + 1.0, m + 1.0, z);
		if (!isnan(lf)) {
			*out = lf + (1.0 - p->r - x) * la - (p->s + 1.0) * lb;
			return KEHU_OK;
		}
		rc = kehu__hyp2f1_log(m, p->r + x, m + 1.0, z, &lf, &s);
		if (rc == KEHU_OK)
			*out = lf - m * lb;
	}
	if (rc == KEHU_OK && s <= 0)
		rc = KEHU_ERANGE;
	return rc;
}

/*
 * log of the two bracket terms: *l1 = log (alpha+T)^-(r+x)(beta+T)^-s,
 * *l2 = log s/(r+s+x) A0 (-inf when t_x = T).
 */
static int
bracket(const kehu__paretonbd_params *p, double x, double t_x, double T,
        double *l1, double *l2)
{
	double pa, pb, laT, lbT;
	int rc;

	if (x == 0.0)
		t_x = 0.0;
	laT = log(p->alpha + T);
	lbT = log(p->beta + T);
	*l1 = -(p->r + x) * laT - p->s * lbT;
	if (t_x >= T) {
		*l2 = -INFINITY;
		return KEHU_OK;
	}
	rc = log_p(p, x, t_x, log(p->alpha + t_x), log(p->beta + t_x), &pa);
	if (rc == KEHU_OK)
		rc = log_p(p, x, T, laT, lbT, &pb);
	if (rc != KEHU_OK)
		return rc;
	*l2 = log(p->s / (p->r + p->s + x)) + kehu__logdiffexp(pa, pb);
	return KEHU_OK;
}

int
kehu__paretonbd_loglik(const kehu__paretonbd_params *p,
                       const kehu__rfm_row *rows, size_t n, double *out)
{
	double sum = 0.0, cx = -1.0, lx = 0.0, lgr, base;
	size_t i;
	int rc;

	if (!params_ok(p) || !out || (!rows && n))
		return KEHU_EINVAL;
	lgr = kehu__lgamma(p->r);
	base = p->r * log(p->alpha) + p->s * log(p->beta);
	for (i = 0; i < n; i++) {
		const kehu__rfm_row *row = &rows[i];
		double l1, l2;

		if (row->weight == 0.0)
			continue;
		if (row->x != cx) {
			cx = row->x;
			lx = kehu__lgamma(p->r + cx) - lgr + base;
		}
		rc = bracket(p, row->x, row->t_x, row->T, &l1, &l2);
		if (rc != KEHU_OK)
			return rc;
		sum += row->weight * (lx + kehu__logaddexp(l1, l2));
	}
	*out = sum;
	return isfinite(sum) ? KEHU_OK : KEHU_ERANGE;
}

typedef struct fit_data {
	const kehu__rfm_row *rows;
	size_t n;
} fit_data;

static double
objective(const double *th, double *grad, void *ud)
{
	const fit_data *d = ud;
	kehu__paretonbd_params p;
	double ll;

	(void)grad;
	p.r = exp(th[0]);
	p.alpha = exp(th[1]);
	p.s = exp(th[2]);
	p.beta = exp(th[3]);
	if (kehu__paretonbd_loglik(&p, d->rows, d->n, &ll) != KEHU_OK)
		return INFINITY;
	return -ll;
}

int
kehu__paretonbd_fit(const kehu__rfm_row *rows, size_t n,
                    kehu__paretonbd_params *out, kehu__fit_info *info)
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
	pb.has_grad = 0;
	pb.max_iter = 1000;
	pb.gtol = 1e-7 * sw;
	th[0] = 0.0;
	th[1] = log(mean_T);
	th[2] = 0.0;
	th[3] = log(mean_T);
	rc = kehu__optim_minimize(&pb, th, &res);
	if (rc != KEHU_OK)
		return rc == KEHU_EINVAL ? KEHU_ERANGE : rc;
	out->r = exp(th[0]);
	out->alpha = exp(th[1]);
	out->s = exp(th[2]);
	out->beta = exp(th[3]);
	kehu__fit_info_set(info, &res);
	return KEHU_OK;
}

int
kehu__paretonbd_stderr(const kehu__paretonbd_params *p,
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
	pb.has_grad = 0;
	th[0] = log(p->r);
	th[1] = log(p->alpha);
	th[2] = log(p->s);
	th[3] = log(p->beta);
	return kehu__optim_se_exp(&pb, th, se);
}

/* (1 - (beta/(beta+t))^(s-1)) / (s-1), with its s -> 1 limit. */
static double
horizon(double s, double beta, double t)
{
	double ly = log(beta) - log(beta + t);

	if (fabs(s - 1.0) < 1e-10)
		return -ly;
	return -expm1((s - 1.0) * ly) / (s - 1.0);
}

int
kehu__paretonbd_expected(const kehu__paretonbd_params *p, double t,
                         double *out)
{
	if (!params_ok(p) || !out || !(t >= 0.0) || !isfinite(t))
		return KEHU_EINVAL;
	*out = p->r * p->beta / p->alpha * horizon(p->s, p->beta, t);
	return isfinite(*out) ? KEHU_OK : KEHU_ERANGE;
}

int
kehu__paretonbd_palive(const kehu__paretonbd_params *p, double x,
                       double t_x, double T, double *out)
{
	double l1, l2, l;
	int rc;

	if (!params_ok(p) || !out || !args_ok(x, t_x, T))
		return KEHU_EINVAL;
	rc = bracket(p, x, t_x, T, &l1, &l2);
	if (rc != KEHU_OK)
		return rc;
	/* 1 / (1 + e^(l2 - l1)) */
	l = l2 - l1;
	if (l > 0.0)
		*out = exp(-l) / (1.0 + exp(-l));
	else
		*out = 1.0 / (1.0 + exp(l));
	return KEHU_OK;
}

int
kehu__paretonbd_conditional(const kehu__paretonbd_params *p, double x,
                            double t_x, double T, double t, double *out)
{
	double pa;
	int rc;

	if (!(t >= 0.0) || !isfinite(t) || !out)
		return KEHU_EINVAL;
	rc = kehu__paretonbd_palive(p, x, t_x, T, &pa);
	if (rc != KEHU_OK)
		return rc;
	/* (r+x)/(alpha+T) is the posterior purchase rate, and the
	 * horizon factor the expected lifetime within (T, T+t] */
	*out = pa * (p->r + x) / (p->alpha + T) * (p->beta + T) *
	       horizon(p->s, p->beta + T, t);
	return isfinite(*out) ? KEHU_OK : KEHU_ERANGE;
}
