/*
 * rules/names: the metric names of the language, mapped onto the fields
 * of kehu_metrics (the narrow interface rules read metrics through).
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "kehu/metrics.h"
#include "rules/eval.h"
#include "rules/program.h"

typedef struct metric_def {
	char name[28];
	uint16_t offset;
	uint8_t type;      /* KEHU__T_NUM or KEHU__T_MONEY */
	uint8_t flags;     /* KEHU__METRIC_* */
} metric_def;

#define M(field, type, flags) \
	{#field, (uint16_t)offsetof(kehu_metrics, field), type, flags}

static const metric_def metrics[KEHU__METRIC_COUNT] = {
	M(first_purchase, KEHU__T_NUM, 0),
	M(last_purchase, KEHU__T_NUM, 0),
	M(last_contact, KEHU__T_NUM, 0),
	M(interactions, KEHU__T_NUM, 0),
	M(purchases, KEHU__T_NUM, 0),
	M(orders, KEHU__T_NUM, 0),
	M(sales, KEHU__T_MONEY, 0),
	M(refunds, KEHU__T_MONEY, 0),
	M(revenue, KEHU__T_MONEY, 0),
	M(cost, KEHU__T_MONEY, 0),
	M(margin, KEHU__T_MONEY, 0),
	M(average_order_value, KEHU__T_MONEY, 1),
	M(complaints, KEHU__T_NUM, 0),
	M(satisfaction_count, KEHU__T_NUM, 0),
	M(average_satisfaction, KEHU__T_NUM, 1),
	M(last_satisfaction, KEHU__T_NUM, 0),
	M(referrals, KEHU__T_NUM, 0),
	M(months_active, KEHU__T_NUM, 0),
	M(days_since_first_purchase, KEHU__T_NUM, 4),
	M(days_since_last_purchase, KEHU__T_NUM, 4),
	M(days_since_last_contact, KEHU__T_NUM, 8),
	M(revenue_30d, KEHU__T_MONEY, 2),
	M(revenue_90d, KEHU__T_MONEY, 2),
	M(revenue_365d, KEHU__T_MONEY, 2),
	M(purchases_30d, KEHU__T_NUM, 2),
	M(purchases_90d, KEHU__T_NUM, 2),
	M(purchases_365d, KEHU__T_NUM, 2),
	M(complaints_30d, KEHU__T_NUM, 2),
	M(complaints_90d, KEHU__T_NUM, 2),
	M(complaints_365d, KEHU__T_NUM, 2),
};

int kehu__metric_lookup(const char *name, size_t len, uint8_t *type)
{
	int i;

	for (i = 0; i < KEHU__METRIC_COUNT; i++) {
		if (strlen(metrics[i].name) == len &&
		    memcmp(metrics[i].name, name, len) == 0) {
			*type = metrics[i].type;
			return i;
		}
	}
	return -1;
}

const char *kehu__metric_name(int id)
{
	return metrics[id].name;
}

int kehu__metric_is_window(int id)
{
	return (metrics[id].flags & KEHU__METRIC_WINDOW) != 0;
}

void kehu__metric_field(int id, uint16_t *offset, uint8_t *flags)
{
	*offset = metrics[id].offset;
	*flags = metrics[id].flags;
}

void kehu__metrics_to_values(const kehu_metrics *m, double *out)
{
	const unsigned char *base = (const unsigned char *)m;
	int i;

	for (i = 0; i < KEHU__METRIC_COUNT; i++) {
		const metric_def *d = &metrics[i];
		int64_t v;
		double x;

		if (d->flags & KEHU__METRIC_DOUBLE) {
			memcpy(&x, base + d->offset, sizeof x);
			/* averages of money are money: minor units */
			out[i] = x;
			continue;
		}
		memcpy(&v, base + d->offset, sizeof v);
		/* "no such event" is never: infinitely many days ago */
		if (((d->flags & KEHU__METRIC_DAYS_PURCHASE) &&
		     m->first_purchase < 0) ||
		    ((d->flags & KEHU__METRIC_DAYS_CONTACT) &&
		     m->last_contact < 0))
			out[i] = HUGE_VAL;
		else
			out[i] = (double)v;
	}
}
