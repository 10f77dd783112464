/*
 * codec/keys: the key layout in the host's store (doc/storage.md).
 *
 * Every key starts with one prefix byte; ids, times and days follow as
 * big-endian unsigned integers so that byte order is numeric order and
 * one object's entries are one contiguous range.
 *
 *   'C' id                     customer record
 *   'K' external-key bytes     external key -> customer id
 *   'A' id                     account record
 *   'P' customer-id account-id membership (reverse index of accounts)
 *   'I' customer-id time id    interaction record (history = one range)
 *   'D' owner-id day           day bucket of a customer or an account
 *   'M' owner-id               metrics of a customer or an account
 *   'L' customer-id ruleset    labels and scores of the last classify-all
 *   'R' ruleset-name           a stored rule set (its text)
 *   'V' model-name             a fitted value model
 *   'Z' "meta"                 db meta record (format, settings, next id)
 */
#ifndef KEHU_CODEC_KEYS_H
#define KEHU_CODEC_KEYS_H

#include <stdint.h>

#include "core/buf.h"

#define KEHU__KEY_CUSTOMER 'C'
#define KEHU__KEY_EXTKEY 'K'
#define KEHU__KEY_ACCOUNT 'A'
#define KEHU__KEY_MEMBERSHIP 'P'
#define KEHU__KEY_INTERACTION 'I'
#define KEHU__KEY_DAY 'D'
#define KEHU__KEY_METRICS 'M'
#define KEHU__KEY_LABELS 'L'
#define KEHU__KEY_RULESET 'R'
#define KEHU__KEY_MODEL 'V'
#define KEHU__KEY_META 'Z'

/* Each builder resets b and writes one key; check b->failed. */
void kehu__key_id(kehu__buf *b, uint8_t prefix, int64_t id);
void kehu__key_extkey(kehu__buf *b, const char *key);
void kehu__key_membership(kehu__buf *b, int64_t customer, int64_t account);
void kehu__key_interaction(kehu__buf *b, int64_t customer, int64_t time,
                           int64_t id);
void kehu__key_day(kehu__buf *b, int64_t owner, int32_t day);
void kehu__key_meta(kehu__buf *b);
void kehu__key_labels(kehu__buf *b, int64_t customer, const char *ruleset);
void kehu__key_ruleset(kehu__buf *b, const char *name);
void kehu__key_model(kehu__buf *b, const char *name);
/* The one-byte range of a whole prefix: [prefix, prefix + 1). */
void kehu__key_prefix(kehu__buf *b, uint8_t prefix);

/* Reads the id after the prefix byte of a 'C', 'A' or 'M' key; -1 when
 * the key is not prefix + 8 bytes. */
int kehu__key_parse_id(const void *key, size_t klen, int64_t *id);
/* Reads the day of a 'D' key. */
int kehu__key_parse_day(const void *key, size_t klen, int32_t *day);

#endif
