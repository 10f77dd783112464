/*
 * value/hyp2f1: special functions for the value models (numerical
 * core, internal): the Gauss hypergeometric function 2F1 in log space
 * and the digamma function.
 */
#ifndef KEHU_VALUE_HYP2F1_H
#define KEHU_VALUE_HYP2F1_H

/*
 * log|2F1(a, b; c; z)| into *log_out and its sign (+1, -1, 0 when the
 * value is exactly 0) into *sign_out, for real z < 1 (and z = 1 when
 * c - a - b > 0).  Chooses between the direct series, the Euler and
 * Pfaff transformations and the z -> 1 - z connection formula; the
 * series runs in a rescaled accumulator, so results far beyond the
 * double range are fine.
 * Returns KEHU_OK, KEHU_EINVAL (z >= 1 outside the above, c a
 * non-positive integer, NaN) or KEHU_ERANGE (no convergence, or so much
 * cancellation that fewer than ~4 digits would be right: large
 * parameters of mixed sign, which the value models never produce).
 */
int kehu__hyp2f1_log(double a, double b, double c, double z,
                     double *log_out, int *sign_out);

/* The digamma function psi(x) = d/dx log Gamma(x), x > 0. */
double kehu__digamma(double x);

/*
 * log(exp(la) - exp(lb)) for la >= lb (-inf when equal); the difference
 * of two positive numbers given by their logs.
 */
double kehu__logdiffexp(double la, double lb);
/* log(exp(la) + exp(lb)). */
double kehu__logaddexp(double la, double lb);

#endif
