/*
 * core/lgamma: log|Gamma(x)| without touching libc's global `signgam`
 * (glibc's lgamma writes it: a data race between two dbs on two
 * threads, which the library's threading contract rules out).
 */
#ifndef KEHU_CORE_LGAMMA_H
#define KEHU_CORE_LGAMMA_H

/* log|Gamma(x)| for any x that is not a non-positive integer (there:
 * +infinity).  Relative error about 1e-15. */
double kehu__lgamma(double x);

#endif
