/*
 * model/view: read-only access to customers for the rule engine.
 */
#include "model/view.h"

#include <stdint.h>
#include <string.h>

#include "codec/keys.h"
#include "core/caltime.h"
#include "core/tuning.h"
#include "model/db.h"
#include "model/hot.h"
#include "model/metrics.h"

size_t kehu__view_slots(const kehu_db *db)
{
	return db->customers.len;
}

int kehu__view_at(const kehu_db *db, size_t index, kehu__view *v)
{
	const kehu__hot *h = &db->customers.slots[index];

	v->id = h->id;
	v->kind = h->kind;
	v->relation = h->relation;
	v->status = h->status;
	v->sections = (h->flags & KEHU__HOT_HAS_TAGS ? KEHU__CUSTOMER_HAS_TAGS
	                                             : 0u) |
	              (h->flags & KEHU__HOT_HAS_ATTRS ? KEHU__CUSTOMER_HAS_ATTRS
	                                              : 0u);
	return h->flags & KEHU__HOT_DELETED ? -1 : 0;
}

long kehu__view_find(kehu_db *db, kehu_id id)
{
	const kehu__hot *h = kehu__hot_find_live(&db->customers, id);

	return h ? (long)(h - db->customers.slots) : -1;
}

int kehu__view_metrics(kehu_db *db, size_t index, int64_t now, int windows,
                       kehu_metrics *out)
{
	return kehu__metrics_of_slot(db, &db->customers.slots[index], now,
	                             windows, out);
}

/* Slots per batch: one range scan each (a seek into the store), and
 * 80 bytes of windows per slot. */
#define SEQ_BATCH 512

int kehu__view_seq_begin(kehu_db *db, kehu__view_seq *seq, int64_t now)
{
	seq->lo = 0;
	seq->hi = 0;
	seq->epoch = db->epoch;
	seq->today = kehu__day_of(now, db->utc_offset);
	seq->rlo = 0;
	seq->rhi = 0;
	seq->repoch = db->epoch;
	seq->rec = NULL; /* when first asked for a record */
	kehu__buf_init(&seq->bytes, &db->alloc);
	seq->win = kehu__calloc(&db->alloc, SEQ_BATCH, sizeof *seq->win);
	return seq->win ? KEHU_OK : kehu__db_nomem(db);
}

void kehu__view_seq_end(kehu_db *db, kehu__view_seq *seq)
{
	kehu__free(&db->alloc, seq->win, SEQ_BATCH * sizeof *seq->win);
	kehu__free(&db->alloc, seq->rec, SEQ_BATCH * sizeof *seq->rec);
	kehu__buf_free(&seq->bytes);
	seq->win = NULL;
	seq->rec = NULL;
}

/* Whether h may have buckets in the windows: buckets exist only up to
 * the last contact's day, so a customer quiet for a year has none. */
static int has_windows(const kehu_db *db, const kehu__hot *h, int32_t today)
{
	return !(h->flags & KEHU__HOT_DELETED) && h->m.last_contact >= 0 &&
	       kehu__day_of(h->m.last_contact, db->utc_offset) >= today - 364;
}

typedef struct seq_fill {
	const kehu_db *db;
	kehu__view_seq *seq;
	size_t slot;   /* the slot whose buckets are being read */
} seq_fill;

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	       (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	       (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	       (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/* The slot of customer `id` among [f->slot, hi), or NULL; f->slot moves
 * up to it (keys come in id order, as slots are). */
static const kehu__hot *batch_slot(seq_fill *f, size_t hi, int64_t id)
{
	const kehu__hot *slots = f->db->customers.slots;

	while (f->slot < hi && slots[f->slot].id < id)
		f->slot++;
	return f->slot < hi && slots[f->slot].id == id ? &slots[f->slot]
	                                               : NULL;
}

/* One bucket of the batch's range: accounts' and deleted customers'
 * buckets lie between the customers' and are passed over.  A bucket that
 * does not decode fails its customer's read only, when it comes (as it
 * would read alone). */
static int fill_day(const void *key, size_t klen, const void *val,
                    size_t vlen, void *vctx)
{
	seq_fill *f = vctx;
	kehu__view_seq *seq = f->seq;
	const kehu__hot *h;
	kehu__view_win *e;
	int32_t day;

	if (klen != 13 || kehu__key_parse_day(key, klen, &day) != 0)
		return 1;
	/* a corrupt key can name any day: the distance in 64 bits */
	if (day > seq->today || (int64_t)seq->today - day >= 365)
		return 0; /* outside every window */
	h = batch_slot(f, seq->hi, (int64_t)be64((const uint8_t *)key + 1));
	if (!h || (h->flags & KEHU__HOT_DELETED))
		return 0;
	e = &seq->win[f->slot - seq->lo];
	if (kehu__windows_add_day(&e->w, seq->today, day, val, vlen))
		e->corrupt = 1;
	return 0;
}

/* The end of the batch of slots that starts at index. */
static size_t batch_end(const kehu_db *db, size_t index)
{
	return db->customers.len - index < SEQ_BATCH ? db->customers.len
	                                             : index + SEQ_BATCH;
}

/* One scan of the keys of `prefix` owned by the customers of slots
 * first .. last (keys are prefix, owner id, ...), visit called with f
 * starting at first. */
static int scan_owned(kehu_db *db, uint8_t prefix, size_t first,
                      size_t last, kehu_storage_visit_cb visit, seq_fill *f)
{
	const kehu__hot *slots = db->customers.slots;

	kehu__key_id(&db->key, prefix, slots[first].id);
	if (slots[last].id < INT64_MAX)
		kehu__key_id(&db->key2, prefix, slots[last].id + 1);
	else
		kehu__key_id(&db->key2, (uint8_t)(prefix + 1), 0);
	if (db->key.failed || db->key2.failed)
		return kehu__db_nomem(db);
	f->db = db;
	f->slot = first;
	return kehu__store_scan(&db->store, db->key.data, db->key.len,
	                        db->key2.data, db->key2.len, visit, f);
}

/* Reads the windows of slots [index, index + SEQ_BATCH) with one scan
 * from the first to the last of them that has any. */
static int seq_read(kehu_db *db, kehu__view_seq *seq, size_t index)
{
	const kehu__hot *slots = db->customers.slots;
	size_t i, first = SIZE_MAX, last = 0;
	seq_fill f;
	int rc;

	seq->lo = index;
	seq->hi = batch_end(db, index);
	seq->epoch = db->epoch;
	for (i = index; i < seq->hi; i++) {
		kehu__view_win *e = &seq->win[i - index];

		memset(&e->w, 0, sizeof e->w);
		e->interactions = slots[i].m.interactions;
		e->corrupt = 0;
		if (has_windows(db, &slots[i], seq->today)) {
			if (first == SIZE_MAX)
				first = i;
			last = i;
		}
	}
	if (first == SIZE_MAX)
		return KEHU_OK;
	f.seq = seq;
	rc = scan_owned(db, KEHU__KEY_DAY, first, last, fill_day, &f);
	if (rc != KEHU_OK)
		seq->hi = seq->lo; /* nothing read is kept */
	if (rc == 1)
		return kehu__db_error(db, KEHU_ECORRUPT,
		                      "a day bucket key does not decode");
	return rc;
}

int kehu__view_seq_metrics(kehu_db *db, kehu__view_seq *seq, size_t index,
                           int64_t now, kehu_metrics *out)
{
	const kehu__hot *h = &db->customers.slots[index];
	const kehu__view_win *e;
	int rc;

	kehu__metrics_of_slot_on(db, h, seq->today, out);
	if (!kehu__metrics_has_windows(out))
		return KEHU_OK;
	if (index < seq->lo || index >= seq->hi || seq->epoch != db->epoch) {
		if ((rc = seq_read(db, seq, index)) != KEHU_OK)
			return rc;
	}
	e = &seq->win[index - seq->lo];
	if (e->interactions != h->m.interactions)
		/* changed since its batch was read: read it on its own */
		return kehu__metrics_of_slot(db, h, now, 1, out);
	if (e->corrupt)
		return kehu__db_errori(db, KEHU_ECORRUPT, "a day bucket of ",
		                       h->id, " does not decode");
	kehu__windows_put(&e->w, out);
	return KEHU_OK;
}

#if KEHU__FAST_PATHS
/* A batch is scanned when at least one id in this many between its
 * first and last record has one to read: a scan step costs about a
 * thirtieth of a look-up (measured: 4 ns a record against 190 ns in the
 * memory store with a million customers). */
#define REC_SPARSITY 32

static int has_sections(const kehu__hot *h)
{
	return !(h->flags & KEHU__HOT_DELETED) &&
	       (h->flags & (KEHU__HOT_HAS_TAGS | KEHU__HOT_HAS_ATTRS));
}

/* One record of the batch's range; others' are passed over. */
static int fill_record(const void *key, size_t klen, const void *val,
                       size_t vlen, void *vctx)
{
	seq_fill *f = vctx;
	kehu__view_seq *seq = f->seq;
	const kehu__hot *h;
	kehu__view_rec *e;

	if (klen != 9 || vlen > UINT32_MAX)
		return 0; /* not a record: read alone, it fails there */
	h = batch_slot(f, seq->rhi, (int64_t)be64((const uint8_t *)key + 1));
	if (!h || !has_sections(h))
		return 0;
	e = &seq->rec[f->slot - seq->rlo];
	e->at = seq->bytes.len;
	e->len = (uint32_t)vlen;
	e->rev = h->rev;
	kehu__buf_put(&seq->bytes, val, vlen);
	return 0;
}

/* Reads the records of slots [index, index + SEQ_BATCH) that have tags
 * or attributes with one scan, if they are dense enough. */
static int seq_read_records(kehu_db *db, kehu__view_seq *seq, size_t index)
{
	const kehu__hot *slots = db->customers.slots;
	size_t i, first = SIZE_MAX, last = 0, count = 0;
	seq_fill f;
	int rc;

	if (!seq->rec && !(seq->rec = kehu__calloc(&db->alloc, SEQ_BATCH,
	                                            sizeof *seq->rec)))
		return kehu__db_nomem(db);
	seq->rlo = index;
	seq->rhi = batch_end(db, index);
	seq->repoch = db->epoch;
	kehu__buf_reset(&seq->bytes);
	for (i = index; i < seq->rhi; i++) {
		seq->rec[i - index].at = SIZE_MAX;
		if (!has_sections(&slots[i]))
			continue;
		if (count++ == 0)
			first = i;
		last = i;
	}
	/* ids grow with slots: the range holds at most this many records */
	if (count == 0 || (uint64_t)(slots[last].id - slots[first].id) >=
	                  (uint64_t)count * REC_SPARSITY)
		return KEHU_OK;
	f.seq = seq;
	rc = scan_owned(db, KEHU__KEY_CUSTOMER, first, last, fill_record, &f);
	if (rc == KEHU_OK && seq->bytes.failed)
		rc = kehu__db_nomem(db);
	if (rc != KEHU_OK)
		seq->rhi = seq->rlo; /* nothing read is kept */
	return rc;
}

/* size builds read every record alone (rules/population.c) */
int kehu__view_seq_record(kehu_db *db, kehu__view_seq *seq, size_t index,
                          kehu__buf *buf, const uint8_t **p, size_t *len)
{
	const kehu__hot *h = &db->customers.slots[index];
	const kehu__view_rec *e;
	int rc;

	if (index < seq->rlo || index >= seq->rhi ||
	    seq->repoch != db->epoch) {
		if ((rc = seq_read_records(db, seq, index)) != KEHU_OK)
			return rc;
	}
	e = &seq->rec[index - seq->rlo];
	if (e->at != SIZE_MAX && e->rev == h->rev) {
		*p = seq->bytes.data + e->at;
		*len = e->len;
		return KEHU_OK;
	}
	if ((rc = kehu__view_record_bytes(db, h->id, buf)) != KEHU_OK)
		return rc;
	*p = buf->data;
	*len = buf->len;
	return KEHU_OK;
}
#endif

int kehu__view_record_bytes(kehu_db *db, kehu_id id, kehu__buf *buf)
{
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, id);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, buf);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_errori(db, KEHU_ECORRUPT, "customer ", id,
		                       " is indexed but not stored");
	return rc;
}

int kehu__view_record(kehu_db *db, kehu_id id, kehu__customer_rec *rec)
{
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, id);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_errori(db, KEHU_ECORRUPT, "customer ", id,
		                       " is indexed but not stored");
	if (rc != KEHU_OK)
		return rc;
	rc = kehu__customer_rec_decode(&db->alloc, rec, db->val.data,
	                               db->val.len);
	if (rc == KEHU_ENOMEM)
		return kehu__db_nomem(db);
	if (rc != KEHU_OK)
		return kehu__db_errori(db, rc, "customer ", id,
		                       ": stored record does not decode");
	return KEHU_OK;
}

const kehu__allocator *kehu__view_allocator(const kehu_db *db)
{
	return &db->alloc;
}
