/*
 * value/optim: BFGS in a box with a backtracking (Armijo) line search,
 * used on log-parameters by the value-model fits (numerical core).
 *
 * The inverse-Hessian approximation is reset to a scaled identity when
 * a search direction is not a descent direction or the line search
 * fails; the search steps are capped so one iteration never moves a
 * log-parameter by more than 2 (a factor e^2), which keeps the
 * likelihoods away from overflow on the first steps.
 */
#include "value/optim.h"

#include <math.h>
#include <string.h>

#include "kehu/errors.h"

#define N KEHU__OPTIM_MAXN
#define MAX_STEP 2.0

typedef struct ctx {
	const kehu__optim_problem *pb;
	double lo, hi;
	int evals;
	int forward; /* numerical gradient by forward differences */
} ctx;

/* f(x) and, when g is not NULL, its gradient; fx is f(x) when already
 * known (central differences reuse it), else NAN */
static double
eval_known(ctx *c, const double *x, double *g, double fx)
{
	const kehu__optim_problem *pb = c->pb;
	double f = fx;
	int i;

	if (pb->has_grad || !g) {
		c->evals++;
		f = pb->fn(x, g, pb->user_data);
		return isnan(f) ? INFINITY : f;
	}
	if (isnan(f)) {
		c->evals++;
		f = pb->fn(x, NULL, pb->user_data);
	}
	if (isnan(f) || !isfinite(f))
		return INFINITY;
	for (i = 0; i < pb->n; i++) {
		double xp[N], h = 1e-5 * (1.0 + fabs(x[i])), fp, fm;

		memcpy(xp, x, sizeof(double) * (size_t)pb->n);
		if (c->forward) {
			/* half the cost; error ~ h f'', fine while far
			 * from the optimum */
			h = 1e-7 * (1.0 + fabs(x[i]));
			xp[i] = x[i] + h;
			fp = pb->fn(xp, NULL, pb->user_data);
			c->evals++;
			g[i] = (fp - f) / h;
			continue;
		}
		xp[i] = x[i] + h;
		fp = pb->fn(xp, NULL, pb->user_data);
		xp[i] = x[i] - h;
		fm = pb->fn(xp, NULL, pb->user_data);
		c->evals += 2;
		g[i] = (fp - fm) / (2.0 * h);
	}
	return f;
}

static double
eval(ctx *c, const double *x, double *g)
{
	return eval_known(c, x, g, NAN);
}

static double
gmax(const double *g, int n)
{
	double m = 0.0;
	int i;

	for (i = 0; i < n; i++)
		if (fabs(g[i]) > m || isnan(g[i]))
			m = isnan(g[i]) ? INFINITY : fabs(g[i]);
	return m;
}

static void
set_identity(double *hm, int n, double scale)
{
	int i;

	memset(hm, 0, sizeof(double) * (size_t)(n * n));
	for (i = 0; i < n; i++)
		hm[i * n + i] = scale;
}

int
kehu__optim_minimize(const kehu__optim_problem *pb, double *x,
                     kehu__optim_result *res)
{
	double g[N], d[N], xn[N], gn[N], hm[N * N], s[N], y[N];
	double f, fn, gtol, step, slope, dmax;
	int n, i, j, iter, max_iter, fresh = 1, rc = KEHU_OK;
	ctx c;

	if (!pb || !pb->fn || !x || !res || pb->n < 1 || pb->n > N)
		return KEHU_EINVAL;
	memset(res, 0, sizeof(*res));
	n = pb->n;
	c.pb = pb;
	c.evals = 0;
	c.forward = 0;
	c.lo = pb->lo;
	c.hi = pb->hi;
	if (c.lo == 0.0 && c.hi == 0.0) {
		c.lo = -30.0;
		c.hi = 30.0;
	}
	max_iter = pb->max_iter > 0 ? pb->max_iter : 500;
	gtol = pb->gtol > 0.0 ? pb->gtol : 1e-6;
	for (i = 0; i < n; i++)
		x[i] = x[i] < c.lo ? c.lo : x[i] > c.hi ? c.hi : x[i];
	f = eval(&c, x, g);
	if (!isfinite(f) || !isfinite(gmax(g, n)))
		return KEHU_EINVAL;
	set_identity(hm, n, 1.0 / (1.0 + gmax(g, n)));
	for (iter = 0; iter < max_iter; iter++) {
		if (gmax(g, n) <= gtol) {
			res->converged = 1;
			break;
		}
		slope = 0.0;
		for (i = 0; i < n; i++) {
			d[i] = 0.0;
			for (j = 0; j < n; j++)
				d[i] -= hm[i * n + j] * g[j];
			slope += d[i] * g[i];
		}
		if (!(slope < 0.0)) {
			set_identity(hm, n, 1.0 / (1.0 + gmax(g, n)));
			fresh = 1;
			for (i = 0; i < n; i++)
				d[i] = -hm[i * n + i] * g[i];
			slope = 0.0;
			for (i = 0; i < n; i++)
				slope += d[i] * g[i];
		}
		dmax = 0.0;
		for (i = 0; i < n; i++)
			if (fabs(d[i]) > dmax)
				dmax = fabs(d[i]);
		step = dmax > MAX_STEP ? MAX_STEP / dmax : 1.0;
		fn = INFINITY;
		for (j = 0; j < 60; j++) {
			for (i = 0; i < n; i++) {
				xn[i] = x[i] + step * d[i];
				if (xn[i] < c.lo)
					xn[i] = c.lo;
				if (xn[i] > c.hi)
					xn[i] = c.hi;
			}
			/* an analytic gradient costs little more than f
			 * and is reused when the step is accepted */
			fn = eval(&c, xn, pb->has_grad ? gn : NULL);
			if (isfinite(fn) && fn <= f + 1e-4 * step * slope)
				break;
			step *= 0.5;
		}
		if (j == 60 || !isfinite(fn)) {
			if (fresh) {
				/* no progress along the steepest descent:
				 * converged as far as the precision goes */
				res->converged = gmax(g, n) <= 1e3 * gtol;
				break;
			}
			set_identity(hm, n, 1.0 / (1.0 + gmax(g, n)));
			fresh = 1;
			continue;
		}
		if (!pb->has_grad) {
			/* forward differences while the gradient is large;
			 * convergence is judged on central differences */
			c.forward = gmax(g, n) > 100.0 * gtol;
			fn = eval_known(&c, xn, gn, fn);
			if (c.forward && gmax(gn, n) <= 100.0 * gtol) {
				c.forward = 0;
				fn = eval_known(&c, xn, gn, fn);
			}
		}
		{
			double sy = 0.0, yhy = 0.0, hy[N], df = f - fn;
			double smax = 0.0;

			for (i = 0; i < n; i++) {
				s[i] = xn[i] - x[i];
				y[i] = gn[i] - g[i];
				sy += s[i] * y[i];
				if (fabs(s[i]) > smax)
					smax = fabs(s[i]);
			}
			memcpy(x, xn, sizeof(double) * (size_t)n);
			memcpy(g, gn, sizeof(double) * (size_t)n);
			f = fn;
			if (df <= 1e-14 * (1.0 + fabs(f)) && smax < 1e-10) {
				res->converged = gmax(g, n) <= 1e3 * gtol;
				iter++;
				break;
			}
			if (sy <= 1e-300)
				continue;
			if (fresh) {
				double yy = 0.0;

				for (i = 0; i < n; i++)
					yy += y[i] * y[i];
				set_identity(hm, n, sy / yy);
				fresh = 0;
			}
			for (i = 0; i < n; i++) {
				hy[i] = 0.0;
				for (j = 0; j < n; j++)
					hy[i] += hm[i * n + j] * y[j];
				yhy += y[i] * hy[i];
			}
			for (i = 0; i < n; i++)
				for (j = 0; j < n; j++)
					hm[i * n + j] += (sy + yhy) * s[i] *
					    s[j] / (sy * sy) - (hy[i] * s[j] +
					    s[i] * hy[j]) / sy;
		}
	}
	res->f = f;
	res->grad_max = gmax(g, n);
	res->iterations = iter;
	res->evaluations = c.evals;
	return rc;
}

int
kehu__optim_hessian(const kehu__optim_problem *pb, const double *x,
                    double *h)
{
	double xp[N], gp[N], gm[N];
	int n, i, j;
	ctx c;

	if (!pb || !x || !h || pb->n < 1 || pb->n > N)
		return KEHU_EINVAL;
	n = pb->n;
	c.pb = pb;
	c.evals = 0;
	c.forward = 0;
	for (i = 0; i < n; i++) {
		double e = 1e-4 * (1.0 + fabs(x[i]));

		memcpy(xp, x, sizeof(double) * (size_t)n);
		/* where f is not finite, eval writes no gradient */
		xp[i] = x[i] + e;
		if (!isfinite(eval(&c, xp, gp)))
			return KEHU_ERANGE;
		xp[i] = x[i] - e;
		if (!isfinite(eval(&c, xp, gm)))
			return KEHU_ERANGE;
		/* both evals returned finite values, so both wrote their
		 * gradient; the analyzer does not follow floating point
		 * (clang-analyzer-core.UndefinedBinaryOperatorResult) */
		for (j = 0; j < n; j++)
			/* NOLINTNEXTLINE */
			h[i * n + j] = (gp[j] - gm[j]) / (2.0 * e);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++) {
			double m = 0.5 * (h[i * n + j] + h[j * n + i]);

			h[i * n + j] = h[j * n + i] = m;
		}
	for (i = 0; i < n * n; i++)
		if (!isfinite(h[i]))
			return KEHU_ERANGE;
	return KEHU_OK;
}

int
kehu__optim_se_exp(const kehu__optim_problem *pb, const double *x,
                   double *se)
{
	double h[N * N], l[N * N], inv[N];
	int n, i, j, k, rc;

	if (!se)
		return KEHU_EINVAL;
	rc = kehu__optim_hessian(pb, x, h);
	if (rc != KEHU_OK)
		return rc;
	n = pb->n;
	/* Cholesky h = L L^T; the diagonal of h^-1 is the squared column
	 * norms of L^-1 */
	memset(l, 0, sizeof(l));
	for (i = 0; i < n; i++)
		for (j = 0; j <= i; j++) {
			double sum = h[i * n + j];

			for (k = 0; k < j; k++)
				sum -= l[i * n + k] * l[j * n + k];
			if (i == j) {
				if (!(sum > 0.0))
					return KEHU_ERANGE;
				l[i * n + i] = sqrt(sum);
			} else {
				l[i * n + j] = sum / l[j * n + j];
			}
		}
	/* diag(h^-1)_i = sum_k (L^-1)_{k,i}^2 */
	for (i = 0; i < n; i++) {
		double col[N];

		inv[i] = 0.0;
		for (k = 0; k < n; k++) {
			double sum = k == i ? 1.0 : 0.0;

			for (j = 0; j < k; j++)
				sum -= l[k * n + j] * col[j];
			col[k] = sum / l[k * n + k];
		}
		/* col = L^-1 e_i: column i of L^-1 */
		for (k = 0; k < n; k++)
			inv[i] += col[k] * col[k];
	}
	for (i = 0; i < n; i++)
		se[i] = exp(x[i]) * sqrt(inv[i]);
	return KEHU_OK;
}

void kehu__fit_info_set(kehu__fit_info *info, const kehu__optim_result *res)
{
	if (!info)
		return;
	info->loglik = -res->f;
	info->iterations = res->iterations;
	info->evaluations = res->evaluations;
	info->converged = res->converged;
	info->se_ok = 0;
}
