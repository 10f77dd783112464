/*
 * value/hyp2f1: the Gauss hypergeometric function 2F1 in log space and
 * the digamma function (numerical core of the value models).
 *
 * Strategy for 2F1(a, b; c; z), real z < 1:
 *   z < 0         Pfaff: (1-z)^-a 2F1(a, c-b; c; z/(z-1)), argument in
 *                 (0, 1).
 *   0 < z <= 0.9  power series, on the Euler-transformed parameters
 *                 (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) when those are
 *                 smaller: the conditional expectations of the BG/NBD
 *                 and the Pareto/NBD likelihood have a, b ~ x and the
 *                 direct series would climb to ~e^x before it falls.
 *   0.9 < z < 1   the series if it converges within SERIES_SHORT terms
 *                 without cancellation, else the connection formula in
 *                 1 - z (interpolated in c when c - a - b is within
 *                 NEAR_INT of an integer), else the long series.
 * The series accumulates a rescaled sum (scale kept as a log), so values
 * far beyond the double range come back as finite logs.
 */
#include "value/hyp2f1.h"

#include <float.h>
#include <math.h>

#include "core/lgamma.h"

#include "kehu/errors.h"

#define SERIES_MAX 2000000L
#define SERIES_SHORT 20000L
#define NEAR_INT 1e-5
#define MAX_LOSS 18.0 /* e^18: ~8 of 16 digits lost */
/* the last resort gives up below ~4 correct digits */
#define MAX_LOSS_LAST 28.0
#define BIG 1e200
#define LOG_BIG 460.51701859880913680 /* log(1e200) */

double
kehu__logaddexp(double la, double lb)
{
	double m;

	if (la == -INFINITY)
		return lb;
	if (lb == -INFINITY)
		return la;
	m = la > lb ? la : lb;
	return m + log1p(exp(-fabs(la - lb)));
}

double
kehu__logdiffexp(double la, double lb)
{
	double d;

	if (lb == -INFINITY)
		return la;
	d = lb - la;
	if (d >= 0.0)
		return -INFINITY;
	/* log(1 - e^d): expm1 when d is near 0, log1p otherwise */
	if (d > -0.693)
		return la + log(-expm1(d));
	return la + log1p(-exp(d));
}

double
kehu__digamma(double x)
{
	double r = 0.0, f;

	while (x < 10.0) {
		r -= 1.0 / x;
		x += 1.0;
	}
	f = 1.0 / (x * x);
	return r + log(x) - 0.5 / x -
	       f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 -
	       f * (1.0 / 240 - f * (1.0 / 132)))));
}

static int
is_nonpos_int(double v)
{
	return v <= 0.0 && v == floor(v);
}

/* log|Gamma(v)| and its sign; sign 0 at the poles (1/Gamma = 0). */
static double
lgam_sign(double v, int *sign)
{
	if (is_nonpos_int(v)) {
		*sign = 0;
		return INFINITY;
	}
	if (v > 0.0)
		*sign = 1;
	else
		*sign = ((long)floor(v) % 2 == 0) ? 1 : -1;
	return kehu__lgamma(v);
}

/* Adds (lb, sb) into (la, sa): signed log-space sum. */
static void
signed_add(double *la, int *sa, double lb, int sb)
{
	if (sb == 0)
		return;
	if (*sa == 0) {
		*la = lb;
		*sa = sb;
		return;
	}
	if (*sa == sb) {
		*la = kehu__logaddexp(*la, lb);
	} else if (*la >= lb) {
		*la = kehu__logdiffexp(*la, lb);
		if (*la == -INFINITY)
			*sa = 0;
	} else {
		*la = kehu__logdiffexp(lb, *la);
		*sa = sb;
	}
}

/*
 * With a, b, c > 0, every later ratio (a+m)(b+m)z / ((c+m)(m+1)), m > n,
 * is at most z max((a+n+1)/(n+2), 1) max((b+n+1)/(c+n+1), 1): each
 * factor moves monotonically toward 1.  When that bound R < 1 the tail
 * after `term` is below term R / (1 - R).  This stops the series after
 * a few dozen terms where the general rule (n beyond |a| + |b|) would
 * run millions: b and c of 1e7 and more come from BG/NBD fits on data
 * in which nobody has dropped out yet.
 */
static int
tail_small(double a, double b, double c, double z, double fn, double term,
           double sum)
{
	double fa = (a + fn + 1.0) / (fn + 2.0);
	double fb = (b + fn + 1.0) / (c + fn + 1.0);
	double r = z * (fa > 1.0 ? fa : 1.0) * (fb > 1.0 ? fb : 1.0);

	return r < 1.0 &&
	       fabs(term) * r / (1.0 - r) <= DBL_EPSILON * fabs(sum);
}

/*
 * The plain power series, 0 <= z < 1.  Fails with KEHU_ERANGE when the
 * largest term exceeds the sum by more than e^max_loss (cancellation).
 */
static int
series(double a, double b, double c, double z, double *lout, int *sout,
       double max_loss, long max_terms)
{
	double sum = 1.0, term = 1.0, scale = 0.0, ratio, big = 1.0;
	long n;

	if (z == 0.0 || a == 0.0 || b == 0.0) {
		*lout = 0.0;
		*sout = 1;
		return KEHU_OK;
	}
	for (n = 0; n < max_terms; n++) {
		double fn = (double)n;

		ratio = (a + fn) * (b + fn) / ((c + fn) * (fn + 1.0)) * z;
		term *= ratio;
		sum += term;
		if (fabs(term) > big)
			big = fabs(term);
		if (fabs(sum) > BIG || fabs(term) > BIG) {
			sum /= BIG;
			term /= BIG;
			big /= BIG;
			scale += LOG_BIG;
		}
		if (term == 0.0)
			break;
		if (a > 0.0 && b > 0.0 && c > 0.0 &&
		    tail_small(a, b, c, z, fn, term, sum))
			break;
		/* the terms decrease from here on (ratio -> z < 1); stop
		 * when the geometric tail bound is below the precision */
		if (fabs(ratio) < 1.0 && fn > fabs(a) + fabs(b) &&
		    fabs(term) * fabs(ratio) / (1.0 - fabs(ratio)) <=
		    DBL_EPSILON * fabs(sum))
			break;
		if (fabs(ratio) < 1.0 && fabs(term) <=
		    1e-3 * DBL_EPSILON * fabs(sum) &&
		    fn > fabs(a) + fabs(b) + fabs(c))
			break;
	}
	if (n == max_terms)
		return KEHU_ERANGE;
	if (!isfinite(sum))
		return KEHU_ERANGE;
	if (log(big) - log(fabs(sum)) > max_loss)
		return KEHU_ERANGE;
	if (sum == 0.0) {
		*sout = 0;
		*lout = -INFINITY;
		return KEHU_OK;
	}
	*sout = sum > 0.0 ? 1 : -1;
	*lout = log(fabs(sum)) + scale;
	return KEHU_OK;
}

static int
series_form(int euler, double a, double b, double c, double z,
            double *lout, int *sout, double max_loss, long max_terms)
{
	int rc;

	if (!euler)
		return series(a, b, c, z, lout, sout, max_loss, max_terms);
	rc = series(c - a, c - b, c, z, lout, sout, max_loss, max_terms);
	if (rc == KEHU_OK && *sout != 0)
		*lout += (c - a - b) * log1p(-z);
	return rc;
}

/*
 * The series on the original or the Euler-transformed parameters: first
 * the one with the smaller |a| + |b| (fewer, smaller terms), unless it
 * cancels (sign-alternating terms from negative parameters), then the
 * other.
 */
static int
series_euler(double a, double b, double c, double z, double *lout,
             int *sout, double max_loss, long max_terms)
{
	double ml = max_loss < MAX_LOSS ? max_loss : MAX_LOSS;
	int first, rc;

	if (is_nonpos_int(a) || is_nonpos_int(b))
		return series(a, b, c, z, lout, sout, max_loss, max_terms);
	first = fabs(c - a) + fabs(c - b) < fabs(a) + fabs(b);
	rc = series_form(first, a, b, c, z, lout, sout, ml, max_terms);
	if (rc != KEHU_ERANGE)
		return rc;
	rc = series_form(!first, a, b, c, z, lout, sout, ml, max_terms);
	if (rc != KEHU_ERANGE || max_loss <= MAX_LOSS)
		return rc;
	return series_form(first, a, b, c, z, lout, sout, max_loss,
	                   max_terms);
}

/* The connection formula around z = 1, c - a - b not an integer. */
static int
connection(double a, double b, double c, double z, double *lout,
           int *sout)
{
	double w = 1.0 - z, l1 = -INFINITY, l2 = -INFINITY, lf, acc = 0.0;
	int s1, s2, sf, sacc = 0, sg, rc;
	double lgc = lgam_sign(c, &sg);

	/* Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b)) F(a,b;a+b-c+1;w) */
	{
		int sa, sb2, sd;
		double g1 = lgam_sign(c - a - b, &sa);
		double g2 = lgam_sign(c - a, &sb2);
		double g3 = lgam_sign(c - b, &sd);

		if (sb2 != 0 && sd != 0) {
			rc = series_euler(a, b, a + b - c + 1.0, w, &lf, &sf,
			                  MAX_LOSS, SERIES_MAX);
			if (rc != KEHU_OK)
				return rc;
			l1 = lgc + g1 - g2 - g3 + lf;
			s1 = sg * sa * sb2 * sd * sf;
			signed_add(&acc, &sacc, l1, s1);
		}
	}
	/* (1-z)^(c-a-b) Gamma(c) Gamma(a+b-c) / (Gamma(a) Gamma(b))
	 * F(c-a, c-b; c-a-b+1; w) */
	{
		int sa, sb2, sd;
		double g1 = lgam_sign(a + b - c, &sa);
		double g2 = lgam_sign(a, &sb2);
		double g3 = lgam_sign(b, &sd);

		if (sb2 != 0 && sd != 0) {
			rc = series_euler(c - a, c - b, c - a - b + 1.0, w,
			                  &lf, &sf, MAX_LOSS, SERIES_MAX);
			if (rc != KEHU_OK)
				return rc;
			l2 = (c - a - b) * log(w) + lgc + g1 - g2 - g3 + lf;
			s2 = sg * sa * sb2 * sd * sf;
			signed_add(&acc, &sacc, l2, s2);
		}
	}
	if (!isfinite(acc) && sacc != 0)
		return KEHU_ERANGE;
	/* the two terms cancel: as unreliable as a cancelling series */
	if (sacc != 0 && (l1 - acc > MAX_LOSS || l2 - acc > MAX_LOSS))
		return KEHU_ERANGE;
	*lout = sacc == 0 ? -INFINITY : acc;
	*sout = sacc;
	return KEHU_OK;
}

int
kehu__hyp2f1_log(double a, double b, double c, double z, double *log_out,
                 int *sign_out)
{
	double e;
	int rc;

	if (!log_out || !sign_out || isnan(a) || isnan(b) || isnan(c) ||
	    isnan(z) || !isfinite(a) || !isfinite(b) || !isfinite(c) ||
	    is_nonpos_int(c))
		return KEHU_EINVAL;
	if (z < 0.0) {
		if (!isfinite(z))
			return KEHU_EINVAL;
		rc = kehu__hyp2f1_log(a, c - b, c, z / (z - 1.0), log_out,
		                      sign_out);
		if (rc == KEHU_OK && *sign_out != 0)
			*log_out -= a * log1p(-z);
		return rc;
	}
	if (z > 1.0)
		return KEHU_EINVAL;
	if (z == 1.0) {
		int s1, s2, s3, s4;
		double l;

		if (c - a - b <= 0.0)
			return KEHU_EINVAL;
		l = lgam_sign(c, &s1) + lgam_sign(c - a - b, &s2) -
		    lgam_sign(c - a, &s3) - lgam_sign(c - b, &s4);
		if (s3 == 0 || s4 == 0) {
			*log_out = -INFINITY;
			*sign_out = 0;
			return KEHU_OK;
		}
		*log_out = l;
		*sign_out = s1 * s2 * s3 * s4;
		return KEHU_OK;
	}
	e = c - a - b;
	if (z > 0.9 && !is_nonpos_int(a) && !is_nonpos_int(b)) {
		double k = nearbyint(e), eps = e - k;

		/* the series is the most accurate when it converges in a
		 * reasonable number of terms without cancelling */
		rc = series_euler(a, b, c, z, log_out, sign_out, MAX_LOSS,
		                  SERIES_SHORT);
		if (rc == KEHU_OK)
			return rc;
		if (fabs(eps) > NEAR_INT) {
			rc = connection(a, b, c, z, log_out, sign_out);
		} else {
			/* c - a - b (nearly) an integer: the connection
			 * formula has cancelling poles; interpolate
			 * linearly in c between k -+ NEAR_INT, where it is
			 * accurate to ~1e-10 (the value is smooth in c) */
			double l1, l2, c0 = c - eps;
			int s1, s2;

			rc = connection(a, b, c0 - NEAR_INT, z, &l1, &s1);
			if (rc == KEHU_OK)
				rc = connection(a, b, c0 + NEAR_INT, z, &l2,
				                &s2);
			if (rc == KEHU_OK && s1 == s2 && s1 != 0) {
				double u = (eps + NEAR_INT) /
				           (2.0 * NEAR_INT);

				/* interpolate the values relative to the
				 * first, to stay in log space */
				*log_out = l1 + log1p(u * expm1(l2 - l1));
				*sign_out = s1;
				if (!isfinite(*log_out))
					rc = KEHU_ERANGE;
			} else if (rc == KEHU_OK) {
				rc = KEHU_ERANGE;
			}
		}
		if (rc == KEHU_OK)
			return rc;
	}
	return series_euler(a, b, c, z, log_out, sign_out, MAX_LOSS_LAST,
	                    SERIES_MAX);
}
