/*
 * model/customer: the customer handle's layout.
 */
#ifndef KEHU_MODEL_CUSTOMER_H
#define KEHU_MODEL_CUSTOMER_H

#include "codec/customer.h"
#include "model/db.h"

struct kehu_customer {
	kehu_db *db;
	kehu__customer_rec rec;
	char *stored_key; /* the external key as stored, to move its index */
};

#endif
