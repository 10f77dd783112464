/*
 * value/summary: compression of RFM summary rows into unique rows with
 * weights (numerical core).  Customers with the same (x, t_x, T) share
 * one likelihood term; on CDNOW this cuts the rows by about 2.5.
 */
#include "value/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kehu/errors.h"

static int
cmp_row(const void *pa, const void *pb)
{
	const kehu__rfm_row *a = pa, *b = pb;

	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->t_x != b->t_x)
		return a->t_x < b->t_x ? -1 : 1;
	if (a->T != b->T)
		return a->T < b->T ? -1 : 1;
	return 0;
}

int
kehu__summary_check(const kehu__rfm_row *rows, size_t n)
{
	size_t i;

	if (!rows && n)
		return KEHU_EINVAL;
	for (i = 0; i < n; i++) {
		const kehu__rfm_row *r = &rows[i];

		if (!isfinite(r->x) || !isfinite(r->t_x) ||
		    !isfinite(r->T) || !isfinite(r->weight) || r->x < 0.0 ||
		    r->T < 0.0 || r->weight < 0.0 ||
		    (r->x > 0.0 && (r->t_x < 0.0 || r->t_x > r->T)))
			return KEHU_EINVAL;
	}
	return KEHU_OK;
}

int
kehu__summary_compress(const kehu__allocator *a, const kehu__rfm_row *rows,
                       size_t n, kehu__rfm_row **out, size_t *n_out)
{
	kehu__rfm_row *v;
	size_t i, m = 0;

	if (!a || !out || !n_out)
		return KEHU_EINVAL;
	*out = NULL;
	*n_out = 0;
	if (kehu__summary_check(rows, n) != KEHU_OK || n == 0 ||
	    n > (size_t)-1 / sizeof(*v))
		return KEHU_EINVAL;
	v = kehu__malloc(a, n * sizeof(*v));
	if (!v)
		return KEHU_ENOMEM;
	memcpy(v, rows, n * sizeof(*v));
	for (i = 0; i < n; i++)
		if (v[i].x == 0.0)
			v[i].t_x = 0.0;
	qsort(v, n, sizeof(*v), cmp_row);
	for (i = 0; i < n; i++) {
		if (m > 0 && cmp_row(&v[m - 1], &v[i]) == 0)
			v[m - 1].weight += v[i].weight;
		else
			v[m++] = v[i];
	}
	if (m < n) {
		kehu__rfm_row *s = kehu__realloc(a, v, n * sizeof(*v),
		                                 m * sizeof(*v));

		if (s) {
			v = s;
		} else {
			/* keep the n-row block (its size must stay n for the
			 * free); the tail rows get weight 0 */
			for (i = m; i < n; i++)
				v[i].weight = 0.0;
			m = n;
		}
	}
	*out = v;
	*n_out = m;
	return KEHU_OK;
}

int kehu__summary_scale(const kehu__rfm_row *rows, size_t n, double *weight,
                        double *mean_T)
{
	double sw = 0.0, st = 0.0;
	size_t i;

	if (n == 0 || kehu__summary_check(rows, n) != KEHU_OK)
		return KEHU_EINVAL;
	for (i = 0; i < n; i++) {
		sw += rows[i].weight;
		st += rows[i].weight * rows[i].T;
	}
	if (!(sw > 0.0) || !(st > 0.0))
		return KEHU_EINVAL;
	*weight = sw;
	*mean_T = st / sw;
	return KEHU_OK;
}
