/*
 * storage/store: calls into the host's storage vtable, with the checks
 * and error reporting of the storage contract (kehu/sys/storage.h).
 */
#include "storage/store.h"

#include <stdio.h>
#include <string.h>

static int slot_failed(kehu__store *s, const char *slot, int code)
{
	const char *why = NULL;
	char prefix[48];

	code = kehu__error_normalize(code);
	if (s->vt.errmsg && code != KEHU_ENOMEM)
		why = s->vt.errmsg(s->vt.user_data);
	if (!why || !*why)
		why = kehu_strerror(code);
	snprintf(prefix, sizeof prefix, "storage %s failed: ", slot);
	return kehu__error_set3(s->err, code, prefix, why, "");
}

int kehu__store_init(kehu__store *s, const kehu_storage *vt,
                     kehu__error *err)
{
	memset(s, 0, sizeof *s);
	s->err = err;
	if (vt->version < 1 || vt->version > KEHU_STORAGE_VERSION)
		return kehu__error_seti(err, KEHU_EINVAL,
		                        "storage vtable version ",
		                        (int64_t)vt->version,
		                        " is not supported (this library "
		                        "knows 1)");
	/* version 1 is the whole struct today; later versions will copy a
	 * prefix sized by the caller's version */
	s->vt = *vt;
	s->open = 1;
	if (!vt->begin || !vt->commit || !vt->rollback || !vt->get ||
	    !vt->put || !vt->del || !vt->scan)
		return kehu__error_set(err, KEHU_EINVAL,
		                       "storage vtable lacks a required slot "
		                       "(begin, commit, rollback, get, put, "
		                       "del and scan are required)");
	return KEHU_OK;
}

void kehu__store_close(kehu__store *s)
{
	if (s->open && s->vt.close)
		s->vt.close(s->vt.user_data);
	s->open = 0;
}

int kehu__store_begin(kehu__store *s)
{
	int rc = s->vt.begin(s->vt.user_data);

	if (rc != KEHU_OK)
		return slot_failed(s, "begin", rc);
	s->in_txn = 1;
	return KEHU_OK;
}

int kehu__store_commit(kehu__store *s)
{
	int rc = s->vt.commit(s->vt.user_data);

	if (rc != KEHU_OK)
		return slot_failed(s, "commit", rc);
	s->in_txn = 0;
	return KEHU_OK;
}

int kehu__store_rollback(kehu__store *s)
{
	int rc = s->vt.rollback(s->vt.user_data);

	s->in_txn = 0;
	if (rc != KEHU_OK)
		return slot_failed(s, "rollback", rc);
	return KEHU_OK;
}

static int copy_value(const void *value, size_t vlen, void *ctx)
{
	kehu__buf *out = ctx;

	kehu__buf_reset(out);
	if (vlen && kehu__buf_reserve(out, vlen) != 0)
		return KEHU_ENOMEM;
	kehu__buf_put(out, value, vlen);
	return KEHU_OK;
}

int kehu__store_get(kehu__store *s, const kehu__buf *key, kehu__buf *out)
{
	int rc = s->vt.get(key->data, key->len, copy_value, out,
	                   s->vt.user_data);

	if (rc == KEHU_ENOTFOUND)
		return rc;
	if (rc != KEHU_OK)
		return slot_failed(s, "get", rc);
	return KEHU_OK;
}

int kehu__store_put(kehu__store *s, const kehu__buf *key, const void *val,
                    size_t vlen)
{
	int rc = s->vt.put(key->data, key->len, val, vlen, s->vt.user_data);

	if (rc != KEHU_OK)
		return slot_failed(s, "put", rc);
	return KEHU_OK;
}

int kehu__store_del(kehu__store *s, const void *key, size_t klen)
{
	int rc = s->vt.del(key, klen, s->vt.user_data);

	if (rc != KEHU_OK && rc != KEHU_ENOTFOUND)
		return slot_failed(s, "del", rc);
	return KEHU_OK;
}

int kehu__store_scan(kehu__store *s, const void *start, size_t slen,
                     const void *end, size_t elen,
                     kehu_storage_visit_cb visit, void *ctx)
{
	int rc = s->vt.scan(start, slen, end, elen, visit, ctx,
	                    s->vt.user_data);

	if (rc > 0 && rc < 16)
		return rc; /* our own visitor's "stop" values */
	if (rc != KEHU_OK)
		return slot_failed(s, "scan", rc);
	return KEHU_OK;
}
