/*
 * value/bgnbd: the BG/NBD model of Fader, Hardie & Lee (2005), "Counting
 * Your Customers the Easy Way" (numerical core, internal): likelihood,
 * maximum-likelihood fit, expectations and P(alive).
 *
 * Times are in any unit, the same for the rows, t and the fit: alpha
 * scales with the unit, r, a and b do not.
 */
#ifndef KEHU_VALUE_BGNBD_H
#define KEHU_VALUE_BGNBD_H

#include <stddef.h>

#include "value/optim.h"
#include "value/summary.h"

typedef struct kehu__bgnbd_params {
	double r, alpha, a, b;
} kehu__bgnbd_params;

/* Sum of weight * log L(r, alpha, a, b | x, t_x, T) over rows.
 * KEHU_OK, KEHU_EINVAL. */
int kehu__bgnbd_loglik(const kehu__bgnbd_params *p,
                       const kehu__rfm_row *rows, size_t n, double *out);

/* Gradient of kehu__bgnbd_loglik w.r.t. (r, alpha, a, b) into grad[4]
 * (and the log-likelihood into *ll when not NULL). */
int kehu__bgnbd_loglik_grad(const kehu__bgnbd_params *p,
                            const kehu__rfm_row *rows, size_t n,
                            double *ll, double *grad);

/*
 * Maximum-likelihood fit (BFGS on log-parameters, analytic gradient;
 * compress the rows first for speed).  info (may be NULL) gets the
 * log-likelihood, standard errors, iterations and convergence.
 * Returns KEHU_OK (check info->converged), KEHU_EINVAL, KEHU_ERANGE.
 */
int kehu__bgnbd_fit(const kehu__rfm_row *rows, size_t n,
                    kehu__bgnbd_params *out, kehu__fit_info *info);

/* Horizons kehu__bgnbd_conditional_steps takes at once. */
#define KEHU__BGNBD_MAX_STEPS 522

/* E[X(t)]: expected purchases of a new customer in (0, t]. */
int kehu__bgnbd_expected(const kehu__bgnbd_params *p, double t,
                         double *out);

/* E[Y(t) | x, t_x, T]: expected purchases in (T, T + t]. */
int kehu__bgnbd_conditional(const kehu__bgnbd_params *p, double x,
                            double t_x, double T, double t, double *out);

/*
 * E[Y(t_j) | alive at T, x, T] for the n increasing horizons t[0..n-1]
 * at once into out[0..n-1] (CLV's steps); times P(alive) it is
 * kehu__bgnbd_conditional, so it does not depend on t_x.  One pass of
 * the 2F1 series serves every horizon, in linear space.  KEHU_ERANGE
 * when that pass is not safe (large x, z near 1, overflow): the caller
 * then asks kehu__bgnbd_conditional per horizon, which works in log
 * space.  KEHU_EINVAL as kehu__bgnbd_conditional.
 */
int kehu__bgnbd_alive_steps(const kehu__bgnbd_params *p, double x,
                            double T, const double *t, size_t n,
                            double *out);

/* P(alive at T | x, t_x, T). */
int kehu__bgnbd_palive(const kehu__bgnbd_params *p, double x, double t_x,
                       double T, double *out);

/*
 * Standard errors of the parameters at p (a maximum-likelihood fit) into
 * se[4], from the numerical Hessian of the log-likelihood in
 * log-parameters (delta method).  KEHU_OK, KEHU_EINVAL, KEHU_ERANGE
 * (Hessian not positive definite: p is not a maximum).
 */
int kehu__bgnbd_stderr(const kehu__bgnbd_params *p,
                       const kehu__rfm_row *rows, size_t n,
                       double *se);

#endif
