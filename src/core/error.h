/*
 * core/error: the per-handle error slot (code + message) behind
 * kehu_errcode and kehu_errmsg.  No allocation: the message lives in a
 * fixed buffer inside the slot, so reporting OOM cannot itself fail.
 */
#ifndef KEHU_CORE_ERROR_H
#define KEHU_CORE_ERROR_H

#include "kehu/errors.h"

#define KEHU__ERRMSG_CAP 256

typedef struct kehu__error {
	int code;
	char msg[KEHU__ERRMSG_CAP];
} kehu__error;

/* Records code and message; returns code so callers can
 * `return kehu__error_set(...)`. */
int kehu__error_set(kehu__error *e, int code, const char *msg);
/* Message built as prefix + subject + suffix (subject shortened with
 * "..." when it does not fit), e.g. ("unknown key '", key, "'"). */
int kehu__error_set3(kehu__error *e, int code, const char *prefix,
                     const char *subject, const char *suffix);
/* Message with one int64 inserted: prefix + number + suffix. */
int kehu__error_seti(kehu__error *e, int code, const char *prefix,
                     int64_t number, const char *suffix);
void kehu__error_clear(kehu__error *e);

/* Maps a code returned by a host callback to a known code (garbage from
 * a raising ctypes callback becomes KEHU_ESTORAGE). */
int kehu__error_normalize(int code);

#endif
