/*
 * value/gammagamma: the Gamma-Gamma model of monetary value (Fader,
 * Hardie & Lee 2005; Fader & Hardie 2013) (numerical core, internal):
 * fit on repeat buyers and the conditional expected average spend.
 */
#ifndef KEHU_VALUE_GAMMAGAMMA_H
#define KEHU_VALUE_GAMMAGAMMA_H

#include <stddef.h>

#include "value/optim.h"

typedef struct kehu__gammagamma_params {
	double p, q, gamma;
} kehu__gammagamma_params;

/* A customer with x > 0 repeat purchases of mean value zbar > 0. */
typedef struct kehu__spend_row {
	double x;
	double zbar;
	double weight;
} kehu__spend_row;

/* Sum of weight * log f(zbar | p, q, gamma, x); rows with x <= 0 are
 * skipped.  KEHU_OK, KEHU_EINVAL (zbar <= 0 with x > 0, ...). */
int kehu__gammagamma_loglik(const kehu__gammagamma_params *p,
                            const kehu__spend_row *rows, size_t n,
                            double *out);

/* Maximum-likelihood fit (BFGS, analytic gradient).  As
 * kehu__bgnbd_fit. */
int kehu__gammagamma_fit(const kehu__spend_row *rows, size_t n,
                         kehu__gammagamma_params *out,
                         kehu__fit_info *info);

/*
 * E[Z | x, zbar] = (p (gamma + x zbar)) / (p x + q - 1); for x = 0 the
 * population mean p gamma / (q - 1).  KEHU_ERANGE when p x + q <= 1.
 */
int kehu__gammagamma_expected_spend(const kehu__gammagamma_params *p,
                                    double x, double zbar, double *out);

/*
 * Standard errors of the parameters at p (a maximum-likelihood fit) into
 * se[3], from the numerical Hessian of the log-likelihood in
 * log-parameters (delta method).  KEHU_OK, KEHU_EINVAL, KEHU_ERANGE
 * (Hessian not positive definite: p is not a maximum).
 */
int kehu__gammagamma_stderr(const kehu__gammagamma_params *p,
                            const kehu__spend_row *rows, size_t n,
                            double *se);

#endif
