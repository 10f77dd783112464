/*
 * tests/fuzz/fuzz_codec: a libFuzzer target for the record codec
 * (src/codec): every stored value a db reads back goes through one of
 * these decoders, and a store may hold bytes this library did not write.
 *
 * Each input is handed, whole, to every decoder: customer (full, scalars
 * only, attribute and tag lookups in place), account, interaction,
 * metrics, day bucket, labels and rule set, model, meta, and the key
 * parsers.  None may crash, leak, read out of bounds or hand out a wrong
 * size to the allocator.  A record that decodes must round-trip: its
 * encoding decodes again, and encoding that gives the same bytes (the
 * encoding is canonical after one pass); the in-place lookups agree
 * with the full decode on the canonical bytes.
 *
 * Built as fuzz_codec (libFuzzer, clang) and fuzz_codec_replay (any
 * compiler, with replay.c), see meson.build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/account.h"
#include "codec/customer.h"
#include "codec/interaction.h"
#include "codec/keys.h"
#include "codec/labels.h"
#include "codec/meta.h"
#include "codec/metrics.h"
#include "codec/model.h"
#include "codec/record.h"
#include "kehu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An allocator that keeps each block's true size in front of it and
 * aborts when the library passes a wrong old size. */
#define HDR 16

static void *checked_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	unsigned char *base = ptr ? (unsigned char *)ptr - HDR : NULL;
	unsigned char *nb;
	size_t truesize;
	long *live = ud;

	if (base) {
		memcpy(&truesize, base, sizeof truesize);
		if (truesize != osize) {
			fprintf(stderr, "osize %zu, block of %zu\n", osize,
			        truesize);
			abort();
		}
	}
	if (nsize == 0) {
		if (base) {
			(*live)--;
			free(base);
		}
		return NULL;
	}
	nb = realloc(base, nsize + HDR);
	if (!nb)
		return NULL;
	if (!base)
		(*live)++;
	memcpy(nb, &nsize, sizeof nsize);
	return nb + HDR;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_codec: %s\n", what);
		abort();
	}
}

static void same_bytes(const kehu__buf *a, const kehu__buf *b,
                       const char *what)
{
	check(!a->failed && !b->failed, "encoder out of memory");
	check(a->len == b->len && memcmp(a->data, b->data, a->len) == 0,
	      what);
}

static void customer(const kehu__allocator *al, const uint8_t *p, size_t n)
{
	kehu__customer_rec c, c2, s;
	kehu__buf b1, b2;
	kehu__attr_view v;
	unsigned sections = 0;
	size_t i;
	int rc;

	memset(&c, 0, sizeof c);
	memset(&s, 0, sizeof s);
	rc = kehu__customer_rec_decode(al, &c, p, n);
	check(rc == KEHU_OK || rc == KEHU_ECORRUPT, "customer decode code");
	/* lookups in place on arbitrary bytes: answers do not matter */
	(void)kehu__customer_rec_find_attr(p, n, "rating", &v);
	(void)kehu__customer_rec_has_tag(p, n, "vip");
	if (kehu__customer_rec_decode_scalars(&s, p, n, &sections) ==
	            KEHU_OK &&
	    rc == KEHU_OK)
		check(s.id == c.id && s.rev == c.rev && s.kind == c.kind &&
		      s.flags == c.flags &&
		      sections == kehu__customer_rec_sections(&c),
		      "scalars differ from full decode");
	if (rc != KEHU_OK)
		return;
	kehu__buf_init(&b1, al);
	kehu__buf_init(&b2, al);
	kehu__customer_rec_encode(&b1, &c);
	check(!b1.failed, "encoder out of memory");
	memset(&c2, 0, sizeof c2);
	rc = kehu__customer_rec_decode(al, &c2, b1.data, b1.len);
	check(rc == KEHU_OK, "re-encoded customer does not decode");
	kehu__customer_rec_encode(&b2, &c2);
	same_bytes(&b1, &b2, "customer encoding not canonical");
	/* the in-place readers agree with the full decode */
	for (i = 0; i < c2.attrs.len; i++) {
		const kehu__attr *at = &c2.attrs.items[i];

		check(kehu__customer_rec_find_attr(b1.data, b1.len, at->name,
		                                   &v) == 1 &&
		      v.type == at->type, "find_attr misses an attribute");
		if (at->type == KEHU_ATTR_STRING)
			check(v.slen == strlen(at->v.s) &&
			      memcmp(v.s, at->v.s, v.slen) == 0,
			      "find_attr string differs");
		else if (at->type == KEHU_ATTR_NUMBER)
			check(memcmp(&v.d, &at->v.d, sizeof v.d) == 0,
			      "find_attr number differs");
		else
			check(v.i == at->v.i, "find_attr integer differs");
	}
	for (i = 0; i < c2.tags.len; i++)
		check(kehu__customer_rec_has_tag(b1.data, b1.len,
		                                 c2.tags.items[i]) == 1,
		      "has_tag misses a tag");
	kehu__customer_rec_free(al, &c);
	kehu__customer_rec_free(al, &c2);
	kehu__buf_free(&b1);
	kehu__buf_free(&b2);
}

static void account(const kehu__allocator *al, const uint8_t *p, size_t n)
{
	kehu__account_rec a, a2;
	kehu__buf b1, b2;
	int rc;

	memset(&a, 0, sizeof a);
	rc = kehu__account_rec_decode(al, &a, p, n);
	check(rc == KEHU_OK || rc == KEHU_ECORRUPT, "account decode code");
	if (rc != KEHU_OK)
		return;
	kehu__buf_init(&b1, al);
	kehu__buf_init(&b2, al);
	kehu__account_rec_encode(&b1, &a);
	check(!b1.failed, "encoder out of memory");
	memset(&a2, 0, sizeof a2);
	check(kehu__account_rec_decode(al, &a2, b1.data, b1.len) == KEHU_OK,
	      "re-encoded account does not decode");
	check(a2.nmembers == a.nmembers && a2.payer == a.payer,
	      "account members or payer lost");
	kehu__account_rec_encode(&b2, &a2);
	same_bytes(&b1, &b2, "account encoding not canonical");
	kehu__account_rec_free(al, &a);
	kehu__account_rec_free(al, &a2);
	kehu__buf_free(&b1);
	kehu__buf_free(&b2);
}

static void interaction(const kehu__allocator *al, const uint8_t *p,
                        size_t n)
{
	kehu__interaction_rec x, x2;
	kehu__buf b1, b2;
	int rc;

	memset(&x, 0, sizeof x);
	rc = kehu__interaction_rec_decode(al, &x, p, n);
	check(rc == KEHU_OK || rc == KEHU_ECORRUPT, "interaction decode code");
	if (rc != KEHU_OK)
		return;
	kehu__buf_init(&b1, al);
	kehu__buf_init(&b2, al);
	kehu__interaction_rec_encode(&b1, &x);
	check(!b1.failed, "encoder out of memory");
	memset(&x2, 0, sizeof x2);
	check(kehu__interaction_rec_decode(al, &x2, b1.data, b1.len) ==
	      KEHU_OK, "re-encoded interaction does not decode");
	check(x2.id == x.id && x2.customer == x.customer &&
	      x2.time == x.time && x2.amount == x.amount &&
	      x2.cost == x.cost && x2.type == x.type &&
	      x2.satisfaction == x.satisfaction &&
	      x2.attrs.len == x.attrs.len, "interaction fields lost");
	kehu__interaction_rec_encode(&b2, &x2);
	same_bytes(&b1, &b2, "interaction encoding not canonical");
	kehu__interaction_rec_free(al, &x);
	kehu__interaction_rec_free(al, &x2);
	kehu__buf_free(&b1);
	kehu__buf_free(&b2);
}

static void metrics(const kehu__allocator *al, const uint8_t *p, size_t n)
{
	kehu__metrics_rec m, m2;
	kehu__day_rec d, d2;
	kehu__buf b1, b2;

	kehu__buf_init(&b1, al);
	kehu__buf_init(&b2, al);
	if (kehu__metrics_rec_decode(&m, p, n) == KEHU_OK) {
		kehu__metrics_rec_encode(&b1, &m);
		check(!b1.failed, "encoder out of memory");
		check(kehu__metrics_rec_decode(&m2, b1.data, b1.len) ==
		      KEHU_OK, "re-encoded metrics do not decode");
		kehu__metrics_rec_encode(&b2, &m2);
		same_bytes(&b1, &b2, "metrics do not round-trip");
		check(m2.last_sat <= 5, "last satisfaction out of range");
	}
	if (kehu__day_rec_decode(&d, p, n) == KEHU_OK) {
		kehu__day_rec_encode(&b1, &d);
		check(!b1.failed, "encoder out of memory");
		check(kehu__day_rec_decode(&d2, b1.data, b1.len) == KEHU_OK,
		      "re-encoded day bucket does not decode");
		kehu__day_rec_encode(&b2, &d2);
		same_bytes(&b1, &b2, "day bucket does not round-trip");
	}
	kehu__buf_free(&b1);
	kehu__buf_free(&b2);
}

static void labels(const uint8_t *p, size_t n)
{
	static const char names[][12] = {"importance", "rfm", "", "a"};
	const char *label, *src;
	size_t i, len;
	double d;
	int rc;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		rc = kehu__labels_find_label(p, n, names[i], &label, &len);
		check(rc == KEHU_OK || rc == KEHU_ENOTFOUND ||
		      rc == KEHU_ECORRUPT, "find_label code");
		if (rc == KEHU_OK)
			check(label >= (const char *)p &&
			      label + len <= (const char *)p + n,
			      "label outside the record");
		rc = kehu__labels_find_score(p, n, names[i], &d);
		check(rc == KEHU_OK || rc == KEHU_ENOTFOUND ||
		      rc == KEHU_ECORRUPT, "find_score code");
	}
	if (kehu__ruleset_rec_decode(p, n, &src, &len) == KEHU_OK)
		check(src >= (const char *)p && src + len <= (const char *)p + n,
		      "rule text outside the record");
}

static void model_meta(const kehu__allocator *al, const uint8_t *p,
                       size_t n)
{
	kehu__model_rec m, m2;
	kehu__meta_rec z, z2;
	kehu__buf b1, b2;

	kehu__buf_init(&b1, al);
	kehu__buf_init(&b2, al);
	if (kehu__model_rec_decode(&m, p, n) == KEHU_OK) {
		check(m.nparams <= 4, "model with more than 4 parameters");
		kehu__model_rec_encode(&b1, &m);
		check(!b1.failed, "encoder out of memory");
		check(kehu__model_rec_decode(&m2, b1.data, b1.len) == KEHU_OK,
		      "re-encoded model does not decode");
		kehu__model_rec_encode(&b2, &m2);
		same_bytes(&b1, &b2, "model does not round-trip");
	}
	if (kehu__meta_rec_decode(&z, p, n) == KEHU_OK) {
		kehu__meta_rec_encode(&b1, &z);
		check(!b1.failed, "encoder out of memory");
		check(kehu__meta_rec_decode(&z2, b1.data, b1.len) == KEHU_OK,
		      "re-encoded meta does not decode");
		kehu__meta_rec_encode(&b2, &z2);
		same_bytes(&b1, &b2, "meta does not round-trip");
	}
	kehu__buf_free(&b1);
	kehu__buf_free(&b2);
}

static void keys(const uint8_t *p, size_t n)
{
	int64_t id;
	int32_t day;

	if (kehu__key_parse_id(p, n, &id) == 0)
		check(n == 9, "an id key of the wrong size parsed");
	(void)kehu__key_parse_day(p, n, &day);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long live = 0;
	kehu__allocator al;

	al.fn = checked_alloc;
	al.user_data = &live;
	customer(&al, data, size);
	account(&al, data, size);
	interaction(&al, data, size);
	metrics(&al, data, size);
	labels(data, size);
	model_meta(&al, data, size);
	keys(data, size);
	check(live == 0, "blocks leaked");
	return 0;
}
