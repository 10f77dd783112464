/*
 * value/model: the layout of a fitted model, shared by the files that
 * predict with it (model.c, clv.c) and the db, which keeps copies of
 * the current ones.
 */
#ifndef KEHU_VALUE_MODEL_H
#define KEHU_VALUE_MODEL_H

#include "core/alloc.h"
#include "kehu/value.h"
#include "value/optim.h"

struct kehu_model {
	kehu__allocator alloc;
	int32_t kind;
	int64_t period;
	double params[4];
	kehu__fit_info info;
	double spend_correlation; /* Gamma-Gamma; NAN otherwise */
};

#endif
