/**
 * @file kehu/file_store.h
 * @brief The built-in crash-safe file store (POSIX).
 *
 * A store behind the storage contract (kehu/sys/storage.h) that keeps a
 * db in one file: an append-only journal of transactions, every record
 * framed with its length and a CRC-32C, each transaction ending in a
 * commit record.  At open the journal is replayed into an in-memory
 * ordered index; a crash never loses a committed transaction (in the
 * `full` durability mode) and never shows an uncommitted one.  The file
 * format, the recovery rules and the durability trade-offs are written
 * in doc/file-store.md.
 *
 * Built only where POSIX is (the meson option `file_store`).
 *
 * Since: 0.1
 */
#ifndef KEHU_FILE_STORE_H
#define KEHU_FILE_STORE_H

#include "kehu/common.h"
#include "kehu/sys/alloc.h"
#include "kehu/sys/storage.h"

KEHU_BEGIN_DECL

/** A file store.  See kehu_storage_file_open. */
typedef struct kehu_storage_file kehu_storage_file;

/** The options layout this header describes. */
#define KEHU_FILE_STORE_OPTIONS_VERSION 1

/** Durability: fsync the file at every commit, and its directory when
 *  the file is created or replaced.  A returned commit survives a crash
 *  of the process and of the machine.  The default. */
#define KEHU_FILE_SYNC_FULL 2
/** Durability: fsync at most every @c sync_every_commits commits, or
 *  when @c sync_every_ms passed (with a host clock).  A machine crash
 *  may lose the commits since the last fsync, never corrupts; a process
 *  crash loses nothing. */
#define KEHU_FILE_SYNC_NORMAL 1
/** Durability: never fsync (tests, bulk loads).  A process crash loses
 *  nothing; a machine crash may lose anything not yet written back by
 *  the kernel. */
#define KEHU_FILE_SYNC_OFF 0

/** Flag: open read-only.  Takes no lock, never writes the file; a torn
 *  tail is ignored (not cut); kehu_storage::begin fails with
 *  KEHU_EMISUSE. */
#define KEHU_FILE_READONLY 0x1u
/** Flag: salvage (implies read-only).  When a record before the tail
 *  fails its checksum, the open succeeds anyway with every transaction
 *  committed before it; KEHU_FILE_STAT_CORRUPT_OFFSET says where. */
#define KEHU_FILE_SALVAGE 0x2u
/** Flag: do not create the file: KEHU_ENOTFOUND when it is missing. */
#define KEHU_FILE_MUST_EXIST 0x4u

/**
 * A host clock for the `normal` durability mode: milliseconds since any
 * fixed origin, never going back (e.g. CLOCK_MONOTONIC).  The library
 * never reads the clock itself.
 *
 * @param user_data the options' @c clock_user_data.
 * @return the current time in milliseconds.
 * Thread: called on the store's thread, inside commit.  Since: 0.1
 */
typedef int64_t (*kehu_clock_ms_cb)(void *user_data);

/**
 * Options of kehu_storage_file_open.  Fill with
 * kehu_file_store_options_init, then set the fields you need.  The
 * library reads only the fields of the version the struct was
 * initialised with.
 */
typedef struct kehu_file_store_options {
	/** KEHU_FILE_STORE_OPTIONS_VERSION, set by the init function. */
	uint32_t version;
	/** Allocator for every byte the store owns; NULL: libc. */
	kehu_alloc_fn alloc;
	/** Passed to @ref alloc. */
	void *alloc_user_data;
	/** KEHU_FILE_READONLY, KEHU_FILE_SALVAGE, KEHU_FILE_MUST_EXIST;
	 *  default 0: open for writing, create when missing. */
	uint32_t flags;
	/** KEHU_FILE_SYNC_FULL (default), KEHU_FILE_SYNC_NORMAL or
	 *  KEHU_FILE_SYNC_OFF. */
	int32_t durability;
	/** `normal` mode: fsync after this many unsynced commits (default
	 *  100; 0 or 1: every commit). */
	uint32_t sync_every_commits;
	/** `normal` mode with @ref clock_ms: fsync at a commit when this
	 *  many milliseconds passed since the last fsync (default 1000). */
	uint32_t sync_every_ms;
	/** The host's clock, or NULL (default): `normal` then counts
	 *  commits only. */
	kehu_clock_ms_cb clock_ms;
	/** Passed to @ref clock_ms. */
	void *clock_user_data;
	/** Compact automatically after a commit when garbage (bytes of
	 *  overwritten and deleted values, and commit records) exceeds this
	 *  percentage of the file (default 50; 0: only on request). */
	uint32_t compact_garbage_percent;
	/** ... and the file holds at least this many bytes (default 4 MiB). */
	uint64_t compact_min_bytes;
} kehu_file_store_options;

/** Static initialiser equivalent to kehu_file_store_options_init. */
#define KEHU_FILE_STORE_OPTIONS_INIT \
	{ KEHU_FILE_STORE_OPTIONS_VERSION, NULL, NULL, 0, \
	  KEHU_FILE_SYNC_FULL, 100, 1000, NULL, NULL, 50, 4194304 }

/**
 * Fills @p opts with the defaults of layout @p version.
 *
 * @param[out] opts the struct to fill (only the fields of @p version are
 *        written).
 * @param version KEHU_FILE_STORE_OPTIONS_VERSION.
 * @return KEHU_OK, or KEHU_EINVAL for NULL or an unknown version.
 * Errors: see return.  Thread: any.  Since: 0.1
 */
KEHU_API int kehu_file_store_options_init(kehu_file_store_options *opts,
                                          uint32_t version);

/**
 * Opens (or creates) the file store at @p path and replays its journal
 * into the in-memory index.
 *
 * Recovery: a torn tail (a crash mid-write) is cut back to the last
 * complete commit, silently; KEHU_FILE_STAT_TORN_BYTES counts what was
 * cut.  A record before the tail that fails its checksum is corruption:
 * KEHU_ECORRUPT, KEHU_FILE_STAT_CORRUPT_OFFSET gives its byte offset,
 * and KEHU_FILE_SALVAGE opens the file read-only with every transaction
 * before it.  A file written by a newer format version is refused with
 * KEHU_ECORRUPT and a message naming the version.
 *
 * One writer: the file is locked with fcntl; a second process opening
 * it for writing gets KEHU_EBUSY.  The lock belongs to the process: do
 * not open one file twice in one process (closing either descriptor
 * would drop the lock).
 *
 * Like kehu_db_open, the handle is handed back even when the open
 * fails (except when the handle itself cannot be allocated: then *out
 * is NULL and the return is KEHU_ENOMEM), so kehu_storage_file_errmsg
 * and kehu_storage_file_stat can say why; the caller closes it in every
 * case.  A failed store accepts only kehu_storage_file_errmsg,
 * kehu_storage_file_stat and kehu_storage_file_close.
 *
 * @param[out] out the store (see above).
 * @param path the file's path (UTF-8 or the platform's bytes).
 * @param opts options, or NULL for all defaults.
 * @return KEHU_OK; KEHU_EINVAL (NULL @p out or @p path, bad option, not
 *         a regular file); KEHU_ENOTFOUND (missing, with
 *         KEHU_FILE_MUST_EXIST or KEHU_FILE_READONLY); KEHU_EBUSY
 *         (another process writes it); KEHU_ECORRUPT (corruption, not a
 *         kehu file, newer format); KEHU_ESTORAGE (an I/O error);
 *         KEHU_ENOMEM.
 * Ownership: the caller closes the store with kehu_storage_file_close,
 * after closing every db that uses it.  Errors: see return.
 * Thread: any; the store then belongs to one thread at a time.
 * Since: 0.1
 */
KEHU_API int kehu_storage_file_open(kehu_storage_file **out,
                                    const char *path,
                                    const kehu_file_store_options *opts);

/**
 * Fills @p out with the vtable of @p fs, to put in
 * kehu_db_options::storage.  Its close slot is NULL: the store outlives
 * the db and still belongs to the caller.
 *
 * @param fs an open store.
 * @param[out] out the vtable (zeroed on failure).
 * @return KEHU_OK; KEHU_EINVAL (a NULL argument); KEHU_EMISUSE (@p fs
 *         failed to open).
 * Ownership: none passes.  Errors: see return.  Thread: the store's.
 * Since: 0.1
 */
KEHU_API int kehu_storage_file_get_vtable(kehu_storage_file *fs,
                                          kehu_storage *out);

/**
 * Rewrites the live keys into a new file and atomically renames it over
 * the old one (a crash at any point leaves either file whole).  Also
 * done automatically after a commit (see
 * kehu_file_store_options::compact_garbage_percent).
 *
 * @param fs an open, writable store, outside a transaction.
 * @return KEHU_OK; KEHU_EINVAL (NULL); KEHU_EMISUSE (failed or
 *         read-only store, or inside a transaction); KEHU_ESTORAGE (an
 *         I/O error: the old file is kept and the store goes on);
 *         KEHU_ENOMEM.
 * Errors: see return; the text is kehu_storage_file_errmsg.
 * Thread: the store's.  Since: 0.1
 */
KEHU_API int kehu_storage_file_compact(kehu_storage_file *fs);

/**
 * Writes the committed live keys of @p fs into a new, compact file at
 * @p path: the way out of a salvaged store.  Works on read-only and
 * salvaged stores too.
 *
 * @param fs an open store, outside a transaction.
 * @param path where to write; must not exist.
 * @return KEHU_OK; KEHU_EINVAL (NULL); KEHU_EMISUSE (failed store, or
 *         inside a transaction); KEHU_EEXIST (@p path exists);
 *         KEHU_ESTORAGE (an I/O error; the partial file is removed);
 *         KEHU_ENOMEM.
 * Errors: see return.  Thread: the store's.  Since: 0.1
 */
KEHU_API int kehu_storage_file_export(kehu_storage_file *fs,
                                      const char *path);

/**
 * Makes every commit so far durable now (fsync), whatever the
 * durability mode: in `normal` mode a host may call it from its idle
 * loop or timer.
 *
 * @return KEHU_OK; KEHU_EINVAL (NULL); KEHU_EMISUSE (failed store);
 *         KEHU_ESTORAGE (fsync failed: the store then refuses writes
 *         until reopened).  Read-only stores return KEHU_OK.
 * Errors: see return.  Thread: the store's.  Since: 0.1
 */
KEHU_API int kehu_storage_file_sync(kehu_storage_file *fs);

/** Stat: bytes in the file (the committed end). */
#define KEHU_FILE_STAT_FILE_BYTES 1
/** Stat: bytes the live keys take in the file (header included). */
#define KEHU_FILE_STAT_LIVE_BYTES 2
/** Stat: keys in the index (committed and in-flight). */
#define KEHU_FILE_STAT_KEYS 3
/** Stat: transactions committed since the open. */
#define KEHU_FILE_STAT_COMMITS 4
/** Stat: fsyncs of the file since the open. */
#define KEHU_FILE_STAT_SYNCS 5
/** Stat: commits not yet fsynced (`normal` and `off` modes). */
#define KEHU_FILE_STAT_UNSYNCED 6
/** Stat: 1 when the open cut (or, read-only, ignored) a torn tail. */
#define KEHU_FILE_STAT_TORN_TAILS 7
/** Stat: bytes of torn tail cut (or ignored) at the open. */
#define KEHU_FILE_STAT_TORN_BYTES 8
/** Stat: byte offset of the first corrupt record, or -1. */
#define KEHU_FILE_STAT_CORRUPT_OFFSET 9
/** Stat: compactions since the open (automatic and requested). */
#define KEHU_FILE_STAT_COMPACTIONS 10
/** Stat: transactions replayed from the file at the open. */
#define KEHU_FILE_STAT_RECOVERED 11
/** Stat: 1 when the store is read-only (flag, or salvaged). */
#define KEHU_FILE_STAT_READONLY 12

/**
 * Reads one counter of @p fs (also of a store that failed to open).
 *
 * @param fs the store.
 * @param which a KEHU_FILE_STAT_* constant.
 * @param[out] out the value.
 * @return KEHU_OK; KEHU_EINVAL (NULL, or an unknown @p which).
 * Errors: see return.  Thread: the store's.  Since: 0.1
 */
KEHU_API int kehu_storage_file_stat(const kehu_storage_file *fs,
                                    int32_t which, int64_t *out);

/**
 * The message of the last failure on @p fs (an open that failed, a
 * slot, compaction, sync), or "not an error".
 *
 * @param fs the store; NULL gives "out of memory" (what a failed open
 *        leaves).
 * @return never NULL.
 * Ownership: owned by @p fs, valid until @p fs is freed or next
 * modified (any call on it).
 * Errors: none.  Thread: the store's.  Since: 0.1
 */
KEHU_API const char *kehu_storage_file_errmsg(const kehu_storage_file *fs);

/**
 * Closes the store: discards an open transaction, fsyncs pending
 * commits (`normal` mode, best effort), releases the lock and frees
 * everything.  NULL is a no-op.
 *
 * @param fs the store, open or failed, or NULL.
 * Ownership: @p fs is freed; close every db using it first.
 * Errors: none (use kehu_storage_file_sync first to see an fsync fail).
 * Thread: the store's.  Since: 0.1
 */
KEHU_API void kehu_storage_file_close(kehu_storage_file *fs);

KEHU_END_DECL

#endif /* KEHU_FILE_STORE_H */
