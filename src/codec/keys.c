/*
 * codec/keys: builders and parsers of store keys (layout in keys.h).
 */
#include "codec/keys.h"

#include <string.h>

/* Days may precede 1970 only with a negative UTC offset on the first
 * day; the bias keeps them ordered as unsigned. */
#define DAY_BIAS UINT32_C(0x80000000)

static uint8_t *be64_at(uint8_t *p, uint64_t v)
{
	kehu__store_be64(p, v);
	return p + 8;
}

/* The prefix byte and the owner's id, after one check for room for the
 * whole key (len bytes); NULL when out of memory (b->failed is set). */
static uint8_t *owner_key(kehu__buf *b, uint8_t prefix, int64_t owner,
                          size_t len)
{
	kehu__buf_reset(b);
	if (kehu__buf_reserve(b, len) != 0)
		return NULL;
	b->data[0] = prefix;
	b->len = len;
	return be64_at(b->data + 1, (uint64_t)owner);
}

void kehu__key_id(kehu__buf *b, uint8_t prefix, int64_t id)
{
	owner_key(b, prefix, id, 9);
}

void kehu__key_extkey(kehu__buf *b, const char *key)
{
	kehu__buf_reset(b);
	kehu__buf_put_u8(b, KEHU__KEY_EXTKEY);
	kehu__buf_put(b, key, strlen(key));
}

void kehu__key_membership(kehu__buf *b, int64_t customer, int64_t account)
{
	uint8_t *p = owner_key(b, KEHU__KEY_MEMBERSHIP, customer, 17);

	if (p)
		be64_at(p, (uint64_t)account);
}

/* Two keys per recorded purchase: each written in place. */
void kehu__key_interaction(kehu__buf *b, int64_t customer, int64_t time,
                           int64_t id)
{
	uint8_t *p = owner_key(b, KEHU__KEY_INTERACTION, customer, 25);

	if (p)
		be64_at(be64_at(p, (uint64_t)time), (uint64_t)id);
}

void kehu__key_day(kehu__buf *b, int64_t owner, int32_t day)
{
	uint8_t *p = owner_key(b, KEHU__KEY_DAY, owner, 13);

	if (p)
		kehu__store_be32(p, (uint32_t)day + DAY_BIAS);
}

void kehu__key_meta(kehu__buf *b)
{
	kehu__buf_reset(b);
	kehu__buf_put_u8(b, KEHU__KEY_META);
	kehu__buf_put(b, "meta", 4);
}

void kehu__key_labels(kehu__buf *b, int64_t customer, const char *ruleset)
{
	kehu__key_id(b, KEHU__KEY_LABELS, customer);
	kehu__buf_put(b, ruleset, strlen(ruleset));
}

void kehu__key_ruleset(kehu__buf *b, const char *name)
{
	kehu__buf_reset(b);
	kehu__buf_put_u8(b, KEHU__KEY_RULESET);
	kehu__buf_put(b, name, strlen(name));
}

void kehu__key_model(kehu__buf *b, const char *name)
{
	kehu__buf_reset(b);
	kehu__buf_put_u8(b, KEHU__KEY_MODEL);
	kehu__buf_put(b, name, strlen(name));
}

void kehu__key_prefix(kehu__buf *b, uint8_t prefix)
{
	kehu__buf_reset(b);
	kehu__buf_put_u8(b, prefix);
}

int kehu__key_parse_id(const void *key, size_t klen, int64_t *id)
{
	if (klen != 9)
		return -1;
	*id = (int64_t)kehu__load_be64((const uint8_t *)key + 1);
	return 0;
}

int kehu__key_parse_day(const void *key, size_t klen, int32_t *day)
{
	if (klen != 13)
		return -1;
	*day = (int32_t)(kehu__load_be32((const uint8_t *)key + 9) - DAY_BIAS);
	return 0;
}
