/*
 * core/lgamma: Lanczos approximation (g = 7, 9 terms; the coefficients
 * of Numerical Recipes 3rd ed. / Boost) for x >= 0.5, the reflection
 * formula below.
 */
#include "core/lgamma.h"

#include <math.h>

static const double lanczos[9] = {
	0.99999999999980993,  676.5203681218851,   -1259.1392167224028,
	771.32342877765313,   -176.61502916214059, 12.507343278686905,
	-0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};

double kehu__lgamma(double x)
{
	static const double half_log_2pi = 0.91893853320467274178;
	static const double pi = 3.14159265358979323846;
	double sum, t, s;
	int i;

	if (x <= 0 && x == floor(x))
		return HUGE_VAL; /* the poles */
	if (x < 0.5) {
		s = sin(pi * x);
		/* Gamma(x) Gamma(1 - x) = pi / sin(pi x) */
		return log(pi / fabs(s)) - kehu__lgamma(1.0 - x);
	}
	if (x > 1e15) /* Stirling is exact to double precision there */
		return (x - 0.5) * log(x) - x + half_log_2pi;
	x -= 1.0;
	sum = lanczos[0];
	for (i = 1; i < 9; i++)
		sum += lanczos[i] / (x + i);
	t = x + 7.5;
	return half_log_2pi + (x + 0.5) * log(t) - t + log(sum);
}
