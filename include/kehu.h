/**
 * @file kehu.h
 * @brief libkehu: an embeddable CRM core.  Include this one header.
 *
 * A host opens a db (kehu/db.h) on a store (kehu/storage.h, or its own
 * through kehu/sys/storage.h), creates customers (kehu/customer.h) and
 * accounts (kehu/account.h), records interactions (kehu/interaction.h)
 * and reads the metrics they feed (kehu/metrics.h).  Every fallible call
 * returns KEHU_OK or a negative code (kehu/errors.h); kehu_errmsg(db)
 * says what went wrong.
 */
#ifndef KEHU_H
#define KEHU_H

#include "kehu/common.h"
#include "kehu/version.h"
#include "kehu/errors.h"
#include "kehu/sys/alloc.h"
#include "kehu/sys/storage.h"
#include "kehu/storage.h"
#include "kehu/file_store.h"
#include "kehu/db.h"
#include "kehu/customer.h"
#include "kehu/account.h"
#include "kehu/interaction.h"
#include "kehu/metrics.h"
#include "kehu/rules.h"
#include "kehu/value.h"

#endif /* KEHU_H */
