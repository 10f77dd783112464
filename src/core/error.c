/*
 * core/error: error codes to text, and the per-handle message slot.
 */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

KEHU_API const char *kehu_strerror(int code)
{
	switch (code) {
	case KEHU_OK: return "not an error";
	case KEHU_ERROR: return "unspecified error";
	case KEHU_ENOMEM: return "out of memory";
	case KEHU_EINVAL: return "invalid argument";
	case KEHU_EMISUSE: return "library used out of order";
	case KEHU_ENOTFOUND: return "not found";
	case KEHU_EEXIST: return "already exists";
	case KEHU_EBUFS: return "buffer too small";
	case KEHU_ERANGE: return "value out of range";
	case KEHU_EBUSY: return "busy or still referenced";
	case KEHU_ESTORAGE: return "storage failure";
	case KEHU_ECORRUPT: return "stored data is corrupt";
	case KEHU_ECONFLICT: return "stale handle: saved elsewhere since read";
	case KEHU_EUSER: return "error returned by a host callback";
	case KEHU_ITEROVER: return "no more items";
	case KEHU_ECOMPILE: return "rule text does not compile";
	default: return "unknown error";
	}
}

int kehu__error_normalize(int code)
{
	if (code > 0 || code < KEHU_ECOMPILE)
		return KEHU_ESTORAGE;
	return code;
}

void kehu__error_clear(kehu__error *e)
{
	e->code = KEHU_OK;
	e->msg[0] = '\0';
}

int kehu__error_set(kehu__error *e, int code, const char *msg)
{
	return kehu__error_set3(e, code, msg, "", "");
}

int kehu__error_set3(kehu__error *e, int code, const char *prefix,
                     const char *subject, const char *suffix)
{
	size_t plen = strlen(prefix), slen = strlen(subject);
	size_t xlen = strlen(suffix), room;

	e->code = code;
	/* Keep the suffix whole; shorten the subject (a user's key may be
	 * long) so that the message still says what was wrong. */
	if (plen + xlen > KEHU__ERRMSG_CAP - 4) {
		snprintf(e->msg, sizeof e->msg, "%s", prefix);
		return code;
	}
	room = KEHU__ERRMSG_CAP - 1 - plen - xlen;
	if (slen > room) {
		size_t cut = room - 3;

		/* Never cut a UTF-8 sequence: the message stays valid. */
		while (cut > 0 && ((unsigned char)subject[cut] & 0xC0) == 0x80)
			cut--;
		snprintf(e->msg, sizeof e->msg, "%s%.*s...%s", prefix,
		         (int)cut, subject, suffix);
	} else
		snprintf(e->msg, sizeof e->msg, "%s%s%s", prefix, subject,
		         suffix);
	return code;
}

int kehu__error_seti(kehu__error *e, int code, const char *prefix,
                     int64_t number, const char *suffix)
{
	char num[24];

	snprintf(num, sizeof num, "%lld", (long long)number);
	return kehu__error_set3(e, code, prefix, num, suffix);
}
