/*
 * codec/model: a fitted value model stored by name ('V' name).
 */
#ifndef KEHU_CODEC_MODEL_H
#define KEHU_CODEC_MODEL_H

#include "core/buf.h"

typedef struct kehu__model_rec {
	int32_t kind;
	int64_t period;
	double params[4];
	size_t nparams;
	double loglik;
	int32_t iterations;
	int32_t converged;
	double se[4];     /* standard errors, when nse == nparams */
	size_t nse;
	double spend_correlation; /* NAN when absent */
} kehu__model_rec;

void kehu__model_rec_encode(kehu__buf *b, const kehu__model_rec *m);
int kehu__model_rec_decode(kehu__model_rec *m, const void *p, size_t n);

#endif
