/*
 * value/paretonbd: the Pareto/NBD model of Schmittlein, Morrison &
 * Colombo (1987) in the form of Fader & Hardie (2005), "A Note on
 * Deriving the Pareto/NBD Model and Related Expressions" (numerical
 * core, internal): likelihood, fit, expectations and P(alive).
 *
 * Times in any unit, the same everywhere; alpha and beta scale with it.
 */
#ifndef KEHU_VALUE_PARETONBD_H
#define KEHU_VALUE_PARETONBD_H

#include <stddef.h>

#include "value/optim.h"
#include "value/summary.h"

typedef struct kehu__paretonbd_params {
	double r, alpha, s, beta;
} kehu__paretonbd_params;

/* Sum of weight * log L over rows.  KEHU_OK, KEHU_EINVAL,
 * KEHU_ERANGE. */
int kehu__paretonbd_loglik(const kehu__paretonbd_params *p,
                           const kehu__rfm_row *rows, size_t n,
                           double *out);

/* Maximum-likelihood fit (BFGS on log-parameters, central-difference
 * gradient).  As kehu__bgnbd_fit. */
int kehu__paretonbd_fit(const kehu__rfm_row *rows, size_t n,
                        kehu__paretonbd_params *out, kehu__fit_info *info);

/* E[X(t)] for a new customer. */
int kehu__paretonbd_expected(const kehu__paretonbd_params *p, double t,
                             double *out);

/* E[Y(t) | x, t_x, T]. */
int kehu__paretonbd_conditional(const kehu__paretonbd_params *p, double x,
                                double t_x, double T, double t,
                                double *out);

/* P(alive at T | x, t_x, T). */
int kehu__paretonbd_palive(const kehu__paretonbd_params *p, double x,
                           double t_x, double T, double *out);

/*
 * Standard errors of the parameters at p (a maximum-likelihood fit) into
 * se[4], from the numerical Hessian of the log-likelihood in
 * log-parameters (delta method).  KEHU_OK, KEHU_EINVAL, KEHU_ERANGE
 * (Hessian not positive definite: p is not a maximum).
 */
int kehu__paretonbd_stderr(const kehu__paretonbd_params *p,
                           const kehu__rfm_row *rows, size_t n,
                           double *se);

#endif
