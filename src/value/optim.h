/*
 * value/optim: the minimiser behind the value-model fits (numerical
 * core, internal): BFGS on unbounded (log-)parameters inside a box, with
 * analytic or central-difference gradients, and a numerical Hessian for
 * standard errors.
 */
#ifndef KEHU_VALUE_OPTIM_H
#define KEHU_VALUE_OPTIM_H

#define KEHU__OPTIM_MAXN 8

/*
 * The objective: returns f(x) (to minimise; +inf or NaN where
 * undefined) and, when grad is not NULL, writes the gradient into it.
 */
typedef double (*kehu__optim_fn)(const double *x, double *grad,
                                 void *user_data);

typedef struct kehu__optim_problem {
	kehu__optim_fn fn;
	void *user_data;
	int n;           /* 1..KEHU__OPTIM_MAXN */
	int has_grad;    /* 0: central differences */
	int max_iter;    /* 0: 500 */
	double gtol;     /* max |gradient| at convergence; 0: 1e-6 */
	double lo, hi;   /* box for every coordinate; both 0: [-30, 30] */
} kehu__optim_problem;

typedef struct kehu__optim_result {
	double f;          /* objective at the solution */
	double grad_max;   /* max |gradient| there */
	int iterations;
	int evaluations;   /* calls of fn */
	int converged;     /* 1: gradient or step test met */
} kehu__optim_result;

/* Diagnostics of a model fit.  The fits leave se_ok 0; the models'
 * *_stderr functions give standard errors (they cost ~2n gradients). */
typedef struct kehu__fit_info {
	double loglik;
	double se[KEHU__OPTIM_MAXN]; /* standard errors of the parameters */
	int se_ok;                   /* 1: se filled */
	int iterations;
	int evaluations;
	int converged;
} kehu__fit_info;

/* Fills info (may be NULL) from a minimisation of the negative
 * log-likelihood; standard errors are computed separately. */
void kehu__fit_info_set(kehu__fit_info *info, const kehu__optim_result *res);

/*
 * Minimises from x (in/out).  Returns KEHU_OK (check res->converged),
 * KEHU_EINVAL (bad problem, or f not finite at the start).
 */
int kehu__optim_minimize(const kehu__optim_problem *pb, double *x,
                         kehu__optim_result *res);

/*
 * Hessian of f at x (n*n, row major), by central differences of the
 * gradient (analytic or numerical).  Returns KEHU_OK or KEHU_ERANGE.
 */
int kehu__optim_hessian(const kehu__optim_problem *pb, const double *x,
                        double *h);

/*
 * Standard errors of exp(x_i) when f is a negative log-likelihood in
 * log-parameters x (delta method on the inverse Hessian).  Returns
 * KEHU_OK or KEHU_ERANGE (Hessian not positive definite).
 */
int kehu__optim_se_exp(const kehu__optim_problem *pb, const double *x,
                       double *se);

#endif
