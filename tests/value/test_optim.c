/*
 * tests/value/test_optim: the minimiser and the numerical Hessian behind
 * the value-model fits (src/value/optim), on functions whose minimum and
 * curvature are known in closed form: arguments, BFGS with analytic and
 * numerical gradients, the box, the Hessian and the delta-method
 * standard errors, and objectives that are not finite everywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "kehu/errors.h"
#include "value/optim.h"

/* f(x) = sum_i (x_i - m_i)^2 / (2 s_i^2) + c x_0 x_1: a quadratic with
 * Hessian diag(1 / s_i^2) and c off the diagonal at (0, 1). */
typedef struct quad {
	int n;
	double m[4], s[4], c;
	double wall;    /* f is +inf where x_0 > wall (if wall != 0) */
	long calls;
} quad;

static double quad_fn(const double *x, double *grad, void *ud)
{
	quad *q = ud;
	double f = 0.0;
	int i;

	q->calls++;
	if (q->wall != 0.0 && x[0] > q->wall)
		return INFINITY;
	for (i = 0; i < q->n; i++) {
		double d = x[i] - q->m[i];

		f += d * d / (2.0 * q->s[i] * q->s[i]);
		if (grad)
			grad[i] = d / (q->s[i] * q->s[i]);
	}
	if (q->n > 1) {
		f += q->c * x[0] * x[1];
		if (grad) {
			grad[0] += q->c * x[1];
			grad[1] += q->c * x[0];
		}
	}
	return f;
}

/* Rosenbrock's valley, minimum 0 at (1, 1). */
static double rosen(const double *x, double *grad, void *ud)
{
	double a = 1.0 - x[0], b = x[1] - x[0] * x[0];

	(void)ud;
	if (grad) {
		grad[0] = -2.0 * a - 400.0 * x[0] * b;
		grad[1] = 200.0 * b;
	}
	return a * a + 100.0 * b * b;
}

static double nan_fn(const double *x, double *grad, void *ud)
{
	(void)x;
	(void)grad;
	(void)ud;
	return NAN;
}

static void test_arguments(void **state)
{
	kehu__optim_problem pb;
	kehu__optim_result res;
	double x[2] = {0.0, 0.0}, h[4], se[2];

	(void)state;
	memset(&pb, 0, sizeof pb);
	pb.fn = rosen;
	pb.n = 0;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_EINVAL);
	pb.n = KEHU__OPTIM_MAXN + 1;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_EINVAL);
	assert_int_equal(kehu__optim_hessian(&pb, x, h), KEHU_EINVAL);
	pb.n = 2;
	assert_int_equal(kehu__optim_minimize(NULL, x, &res), KEHU_EINVAL);
	assert_int_equal(kehu__optim_minimize(&pb, NULL, &res), KEHU_EINVAL);
	assert_int_equal(kehu__optim_minimize(&pb, x, NULL), KEHU_EINVAL);
	assert_int_equal(kehu__optim_hessian(&pb, x, NULL), KEHU_EINVAL);
	assert_int_equal(kehu__optim_se_exp(&pb, x, NULL), KEHU_EINVAL);
	pb.fn = NULL;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_EINVAL);
	/* an objective that is nowhere defined cannot start */
	pb.fn = nan_fn;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_EINVAL);
	(void)se;
}

static void minimize_rosen(int has_grad)
{
	kehu__optim_problem pb;
	kehu__optim_result res;
	double x[2] = {-1.2, 1.0};

	memset(&pb, 0, sizeof pb);
	pb.fn = rosen;
	pb.n = 2;
	pb.has_grad = has_grad;
	pb.max_iter = 2000;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_OK);
	assert_true(res.converged);
	assert_true(fabs(x[0] - 1.0) < 1e-4);
	assert_true(fabs(x[1] - 1.0) < 1e-4);
	assert_true(res.f < 1e-8);
	assert_true(res.iterations > 0);
	assert_true(res.evaluations >= res.iterations);
}

static void test_rosenbrock_analytic(void **state)
{
	(void)state;
	minimize_rosen(1);
}

static void test_rosenbrock_numerical(void **state)
{
	(void)state;
	minimize_rosen(0);
}

/* The default box is [-30, 30]: a minimum outside it is not reached,
 * and the search stops on the wall. */
static void test_box(void **state)
{
	quad q = {1, {100.0}, {1.0}, 0.0, 0.0, 0};
	kehu__optim_problem pb;
	kehu__optim_result res;
	double x[1] = {500.0};

	(void)state;
	memset(&pb, 0, sizeof pb);
	pb.fn = quad_fn;
	pb.user_data = &q;
	pb.n = 1;
	pb.has_grad = 1;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_OK);
	assert_true(x[0] <= 30.0);
	assert_true(x[0] > 29.0);
	/* a given box */
	pb.lo = -1.0;
	pb.hi = 2.0;
	x[0] = 0.0;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_OK);
	assert_true(fabs(x[0] - 2.0) < 1e-9);
}

/* An objective that is infinite beyond a wall: the line search backs
 * off from it and the minimum inside is found. */
static void test_wall(void **state)
{
	quad q = {2, {0.5, -1.0}, {1.0, 2.0}, 0.0, 0.75, 0};
	kehu__optim_problem pb;
	kehu__optim_result res;
	double x[2] = {-3.0, 3.0};

	(void)state;
	memset(&pb, 0, sizeof pb);
	pb.fn = quad_fn;
	pb.user_data = &q;
	pb.n = 2;
	assert_int_equal(kehu__optim_minimize(&pb, x, &res), KEHU_OK);
	assert_true(res.converged);
	assert_true(fabs(x[0] - 0.5) < 1e-5);
	assert_true(fabs(x[1] + 1.0) < 1e-5);
}

static void hessian_of_quad(int has_grad)
{
	quad q = {2, {0.3, -0.2}, {0.5, 2.0}, 0.7, 0.0, 0};
	kehu__optim_problem pb;
	double x[2] = {0.1, 0.4}, h[4];

	memset(&pb, 0, sizeof pb);
	pb.fn = quad_fn;
	pb.user_data = &q;
	pb.n = 2;
	pb.has_grad = has_grad;
	assert_int_equal(kehu__optim_hessian(&pb, x, h), KEHU_OK);
	assert_true(fabs(h[0] - 4.0) < 1e-4);   /* 1 / 0.5^2 */
	assert_true(fabs(h[3] - 0.25) < 1e-4);  /* 1 / 2^2 */
	assert_true(fabs(h[1] - 0.7) < 1e-4);
	assert_true(h[1] == h[2]);              /* made symmetric */
}

static void test_hessian(void **state)
{
	(void)state;
	hessian_of_quad(1);
	hessian_of_quad(0);
}

/* At a point whose neighbourhood is partly undefined the Hessian is
 * KEHU_ERANGE; it used to read gradients that were never written. */
static void test_hessian_not_finite(void **state)
{
	quad q = {2, {0.0, 0.0}, {1.0, 1.0}, 0.0, 1.0, 0};
	kehu__optim_problem pb;
	double x[2] = {1.0, 0.0}, h[4], se[2];
	int has_grad;

	(void)state;
	for (has_grad = 0; has_grad <= 1; has_grad++) {
		memset(&pb, 0, sizeof pb);
		pb.fn = quad_fn;
		pb.user_data = &q;
		pb.n = 2;
		pb.has_grad = has_grad;
		/* x_0 + e lies beyond the wall at 1.0 */
		assert_int_equal(kehu__optim_hessian(&pb, x, h), KEHU_ERANGE);
		assert_int_equal(kehu__optim_se_exp(&pb, x, se), KEHU_ERANGE);
	}
}

/* f = sum (x_i - m_i)^2 / (2 s_i^2) is a negative log-likelihood in x
 * with standard errors s_i; for exp(x_i) the delta method gives
 * exp(m_i) s_i. */
static void test_se_exp(void **state)
{
	quad q = {3, {0.0, 1.0, -2.0}, {0.1, 0.2, 0.05}, 0.0, 0.0, 0};
	kehu__optim_problem pb;
	double x[3] = {0.0, 1.0, -2.0}, se[3];
	int i;

	(void)state;
	memset(&pb, 0, sizeof pb);
	pb.fn = quad_fn;
	pb.user_data = &q;
	pb.n = 3;
	pb.has_grad = 1;
	assert_int_equal(kehu__optim_se_exp(&pb, x, se), KEHU_OK);
	for (i = 0; i < 3; i++)
		assert_true(fabs(se[i] - exp(q.m[i]) * q.s[i]) <
		            1e-6 * exp(q.m[i]));
	/* a saddle has no standard errors: not positive definite */
	q.n = 2;
	q.c = 200.0;
	pb.n = 2;
	assert_int_equal(kehu__optim_se_exp(&pb, x, se), KEHU_ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_rosenbrock_analytic),
		cmocka_unit_test(test_rosenbrock_numerical),
		cmocka_unit_test(test_box),
		cmocka_unit_test(test_wall),
		cmocka_unit_test(test_hessian),
		cmocka_unit_test(test_hessian_not_finite),
		cmocka_unit_test(test_se_exp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
