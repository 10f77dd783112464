/*
 * value/clv: the horizon of a CLV computation cut into discounting
 * steps, shared by the C API (clv.c) and the rule language's clv().
 */
#ifndef KEHU_VALUE_CLV_H
#define KEHU_VALUE_CLV_H

#include <stddef.h>

#include "kehu/value.h"
#include "value/bgnbd.h"
#include "value/summaries.h"

/* ceil(horizon / step) at most: ten years in weeks fit. */
#define KEHU__CLV_MAX_STEPS KEHU__BGNBD_MAX_STEPS

typedef struct kehu__clv_plan {
	const kehu_model *purchases;
	const kehu_model *spend;
	size_t steps;
	double margin_rate;                    /* NAN: from history */
	double t[KEHU__CLV_MAX_STEPS];         /* step ends, in periods */
	double discount[KEHU__CLV_MAX_STEPS];  /* at each step's end */
} kehu__clv_plan;

/* KEHU_OK or KEHU_EINVAL (kinds, options). */
int kehu__clv_plan_make(kehu__clv_plan *plan, const kehu_model *purchases,
                        const kehu_model *spend,
                        const kehu_clv_options *opts);

/* Expected purchases over the plan's horizon, plain and discounted, of
 * a customer with history (x, t_x, T); KEHU_OK, KEHU_EINVAL or
 * KEHU_ERANGE. */
int kehu__clv_purchases(const kehu__clv_plan *plan, double x, double t_x,
                        double T, double *expected, double *discounted);

/* The CLV of a customer from its history (read as of the time CLV is
 * for, in the plan's purchase model's periods), every term; KEHU_OK,
 * KEHU_EINVAL or KEHU_ERANGE. */
int kehu__clv_of_history(kehu_clv *out, const kehu__clv_plan *plan,
                         const kehu__value_history *h,
                         const kehu_clv_options *opts, double scale);

#endif
