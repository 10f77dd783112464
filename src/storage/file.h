/*
 * storage/file: the built-in POSIX file store, private layout constants
 * and helpers shared with its tests (doc/file-store.md has the format).
 */
#ifndef KEHU_STORAGE_FILE_H
#define KEHU_STORAGE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "kehu/file_store.h"

/* The file header: magic(8) version(4) header size(4) generation(8)
 * flags(4) crc32c of the 28 bytes before(4).  The magic, the version
 * and the crc stay where they are in every format version. */
#define KEHU__FILE_MAGIC "KEHUJNL\032"
#define KEHU__FILE_FORMAT 1u
#define KEHU__FILE_HDR 32u

/* A record: body length(4) crc32c of length and body(4), then the body,
 * whose first byte is the record type. */
#define KEHU__FILE_FRAME 8u
#define KEHU__FILE_PUT 'P'    /* varint klen, key, value */
#define KEHU__FILE_DEL 'D'    /* key */
#define KEHU__FILE_COMMIT 'C' /* seq(8) ops(8) synced(8) */
#define KEHU__FILE_COMMIT_BODY 25u

/* CRC-32C (Castagnoli) of n bytes, bitwise: for tests and the header. */
uint32_t kehu__file_crc32c(const void *p, size_t n);

#endif
