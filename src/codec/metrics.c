/*
 * codec/metrics: encoding of metrics records (fields 1..16 in the order
 * of kehu__metrics_rec) and day buckets (1 orders, 2 complaints,
 * 3 sales, 4 refunds).
 */
#include "codec/metrics.h"

#include <string.h>

#include "codec/record.h"
#include "core/caltime.h"
#include "core/checked.h"
#include "kehu/errors.h"

void kehu__metrics_rec_empty(kehu__metrics_rec *m)
{
	memset(m, 0, sizeof *m);
	m->first_purchase = -1;
	m->last_purchase = -1;
	m->last_contact = -1;
	m->last_sat_time = -1;
}

void kehu__metrics_rec_encode(kehu__buf *b, const kehu__metrics_rec *m)
{
	/* fields 1..7 and 8..16, in order, after one check for room: a
	 * commit writes one record per customer it touched */
	const int64_t i64[] = {m->first_purchase, m->last_purchase,
	                       m->last_contact, m->last_sat_time, m->sales,
	                       m->refunds, m->cost};
	const uint32_t u32[] = {m->interactions, m->orders, m->purchase_days,
	                        m->months_active, m->complaints, m->referrals,
	                        m->sat_sum, m->sat_count, m->last_sat};
	uint8_t *p = kehu__rec_start(b, 16);
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < 7; i++)
		p = kehu__rec_i64_at(p, i + 1, i64[i]);
	for (i = 0; i < 9; i++)
		p = kehu__rec_u64_at(p, i + 8, u32[i]);
	kehu__rec_end(b, p);
}

static int metrics_field(const kehu__rec_field *f, void *ctx)
{
	kehu__metrics_rec *m = ctx;
	int64_t *i64[] = {&m->first_purchase, &m->last_purchase,
	                  &m->last_contact, &m->last_sat_time, &m->sales,
	                  &m->refunds, &m->cost};
	uint32_t *u32[] = {&m->interactions, &m->orders, &m->purchase_days,
	                   &m->months_active, &m->complaints, &m->referrals,
	                   &m->sat_sum, &m->sat_count};

	if (f->number < 1 || f->number > 16)
		return KEHU_OK;
	if (f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	if (f->number <= 7)
		*i64[f->number - 1] = kehu__rec_as_i64(f);
	else if (f->number <= 15) {
		if (f->u > UINT32_MAX)
			return KEHU_ECORRUPT;
		*u32[f->number - 8] = (uint32_t)f->u;
	} else {
		if (f->u > 5)
			return KEHU_ECORRUPT;
		m->last_sat = (uint8_t)f->u;
	}
	return KEHU_OK;
}

static int time_ok(int64_t t)
{
	return t == -1 || (t >= KEHU__TIME_MIN && t <= KEHU__TIME_MAX);
}

int kehu__metrics_rec_decode(kehu__metrics_rec *m, const void *p, size_t n)
{
	int64_t margin;
	int rc;

	kehu__metrics_rec_empty(m);
	if ((rc = kehu__rec_decode(p, n, metrics_field, m)) != KEHU_OK)
		return rc;
	/* what recording guarantees (valid times, sums >= 0, a margin
	 * that fits), or the readers' arithmetic could overflow */
	if (!time_ok(m->first_purchase) || !time_ok(m->last_purchase) ||
	    !time_ok(m->last_contact) || !time_ok(m->last_sat_time) ||
	    m->sales < 0 || m->refunds < 0 || m->cost < 0 ||
	    kehu__sub_i64(m->sales - m->refunds, m->cost, &margin))
		return KEHU_ECORRUPT;
	return KEHU_OK;
}

void kehu__day_rec_encode(kehu__buf *b, const kehu__day_rec *d)
{
	uint8_t *p = kehu__rec_start(b, 4);

	if (!p)
		return;
	p = kehu__rec_u64_at(p, 1, d->orders);
	p = kehu__rec_u64_at(p, 2, d->complaints);
	p = kehu__rec_i64_at(p, 3, d->sales);
	p = kehu__rec_i64_at(p, 4, d->refunds);
	kehu__rec_end(b, p);
}

static int day_field(const kehu__rec_field *f, void *ctx)
{
	kehu__day_rec *d = ctx;

	if (f->number > 4)
		return KEHU_OK;
	if (f->wire != KEHU__WIRE_VARINT ||
	    (f->number <= 2 && f->u > UINT32_MAX))
		return KEHU_ECORRUPT;
	if (f->number == 1)
		d->orders = (uint32_t)f->u;
	else if (f->number == 2)
		d->complaints = (uint32_t)f->u;
	else if (f->number == 3)
		d->sales = kehu__rec_as_i64(f);
	else
		d->refunds = kehu__rec_as_i64(f);
	return KEHU_OK;
}

int kehu__day_rec_decode(kehu__day_rec *d, const void *p, size_t n)
{
	int rc;

	memset(d, 0, sizeof *d);
	if ((rc = kehu__rec_decode(p, n, day_field, d)) != KEHU_OK)
		return rc;
	/* amounts are >= 0: negative sums never come from recording */
	return d->sales < 0 || d->refunds < 0 ? KEHU_ECORRUPT : KEHU_OK;
}
