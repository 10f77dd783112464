/*
 * storage/file: the built-in crash-safe file store.  Storage layer, below
 * the db; it implements the kehu_storage contract with POSIX calls only
 * (built when the meson option file_store is on).
 *
 * The file is a 32-byte header, then an append-only journal of records.
 * A record is its body length (4), a CRC-32C of length and body (4),
 * then the body: a put, a del, or the commit record that ends each
 * transaction.  The live data sits in a memory store (kehu/storage.h),
 * the ordered index, which also gives get, scan and rollback their
 * semantics: a transaction is applied to it as it goes, and its records
 * go to a write buffer that is flushed when full and at commit.
 *
 * Invariants:
 *  - end is the offset just after the last commit record; every byte
 *    before end is a complete, checksummed, committed record.  Bytes
 *    past end belong to the open transaction (or to one a failure left
 *    behind: rollback cuts them, and a store that cannot cut them goes
 *    "broken" and refuses writes until reopened).
 *  - A commit record carries `synced`: the offset up to which the file
 *    was known durable when it was written (its own transaction's start
 *    in full and off modes, the last fsync in normal mode).  Recovery
 *    uses it to tell a torn tail from corruption (doc/file-store.md).
 *
 * No static writable data: the CRC tables live in the store.
 */
/* the feature-test macro POSIX defines for applications, reserved
 * for exactly this use (bugprone-reserved-identifier): NOLINTNEXTLINE */
#define _POSIX_C_SOURCE 200809L

#include "storage/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "kehu/errors.h"
#include "kehu/storage.h"

#define FS_MAGIC 0x6b686673u
#define WBUF_CAP ((size_t)256 * 1024)
#define RBUF_CAP ((size_t)1024 * 1024)
#define ERR_CAP 256
#define TMP_SUFFIX ".compact"
#define LOCK_TRIES 16
#define MAX_BODY (UINT32_MAX - 64u)
#define COMMIT_SIZE (KEHU__FILE_FRAME + KEHU__FILE_COMMIT_BODY)
#define CRC_POLY 0x82F63B78u

enum { ST_OPEN = 1, ST_FAILED = 2 };

/* Appends records to one file through a buffer of WBUF_CAP bytes. */
typedef struct writer {
	int fd;
	uint64_t off;        /* bytes written: the buffer goes here */
	unsigned char *buf;
	size_t len;
	int touched;         /* a write past `end` was attempted */
} writer;

struct kehu_storage_file {
	uint32_t magic;
	int state;
	kehu_alloc_fn alloc;
	void *alloc_ud;
	kehu_storage_memory *mem;
	kehu_storage mvt;     /* the memory store's vtable */
	char *path;
	size_t pathlen;
	int fd;
	uint32_t flags;
	int32_t durability;
	uint32_t sync_commits;
	uint32_t sync_ms;
	kehu_clock_ms_cb clock;
	void *clock_ud;
	uint32_t compact_pct;
	uint64_t compact_min;
	int readonly;
	int broken;           /* the file's tail is unknown: no writes */
	int in_txn;
	int txn_rc;           /* a write of the open transaction failed */
	uint64_t txn_ops;
	uint64_t txn_live;    /* live at begin */
	uint64_t generation;
	uint64_t seq;         /* of the last commit */
	uint64_t end;         /* just after the last commit record */
	uint64_t synced;      /* the file is durable up to here */
	uint64_t live;        /* header + the put records of live keys */
	writer w;
	int64_t last_sync_ms;
	uint64_t compact_retry; /* no automatic compaction below this */
	uint64_t commits;
	uint64_t syncs;
	uint64_t unsynced;
	uint64_t torn_tails;
	uint64_t torn_bytes;
	uint64_t compactions;
	uint64_t recovered;
	int64_t corrupt_offset;
	char err[ERR_CAP];
	uint32_t crc[8][256];
};

/* ---- bytes ---- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static size_t varint_put(unsigned char *p, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Reads a varint of at most 5 bytes from p[0..n); 0 if malformed. */
static size_t varint_get(const unsigned char *p, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 5; i++) {
		v |= (uint64_t)(p[i] & 0x7F) << (7 * i);
		if (!(p[i] & 0x80)) {
			if (v > UINT32_MAX)
				return 0;
			*out = (uint32_t)v;
			return i + 1;
		}
	}
	return 0;
}

/* The bytes a put record of this key and value takes in the file. */
static uint64_t put_size(size_t klen, size_t vlen)
{
	return KEHU__FILE_FRAME + 1 + varint_len(klen) + (uint64_t)klen +
	       vlen;
}

/* ---- CRC-32C, slice-by-8 on tables in the store ---- */

static void crc_init(uint32_t t[8][256])
{
	uint32_t i;
	int k;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC_POLY : c >> 1;
		t[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		uint32_t c = t[0][i];

		for (k = 1; k < 8; k++) {
			c = t[0][c & 0xFF] ^ (c >> 8);
			t[k][i] = c;
		}
	}
}

/* Raw update: start from 0xFFFFFFFF, finish with ~. */
static uint32_t crc_upd(uint32_t t[8][256], uint32_t c, const void *data,
                        size_t n)
{
	const unsigned char *p = data;

	while (n >= 8) {
		uint32_t lo = c ^ get32(p);
		uint32_t hi = get32(p + 4);

		c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^
		    t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
		    t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^
		    t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
	return c;
}

uint32_t kehu__file_crc32c(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint32_t c = 0xFFFFFFFFu;
	int k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC_POLY : c >> 1;
	}
	return ~c;
}

/* ---- allocation and errors ---- */

static void *fs_alloc(kehu_storage_file *fs, size_t n)
{
	return fs->alloc(fs->alloc_ud, NULL, 0, n);
}

static void fs_free(kehu_storage_file *fs, void *p, size_t n)
{
	if (p)
		fs->alloc(fs->alloc_ud, p, n, 0);
}

static int fail(kehu_storage_file *fs, int code, const char *msg)
{
	snprintf(fs->err, ERR_CAP, "%s", msg);
	return code;
}

/* "what 'path': strerror(err)" */
static int fail_errno(kehu_storage_file *fs, int code, const char *what,
                      int err)
{
	char e[96];

	if (strerror_r(err, e, sizeof e) != 0)
		snprintf(e, sizeof e, "errno %d", err);
	snprintf(fs->err, ERR_CAP, "%s '%s': %s", what,
	         fs->path ? fs->path : "", e);
	return code;
}

/* Keeps the memory store's message for a failure it reported. */
static int fail_mem(kehu_storage_file *fs, int code)
{
	const char *m = fs->mvt.errmsg(fs->mvt.user_data);

	if (code == KEHU_ENOMEM || m == NULL)
		m = kehu_strerror(code);
	return fail(fs, code, m);
}

/* ---- I/O ---- */

static int pwrite_all(int fd, const void *data, size_t n, uint64_t off)
{
	const unsigned char *p = data;

	while (n > 0) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0) {
			errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Reads up to n bytes at off; the count (short only at end of file), or
 * -1 with errno. */
static ssize_t pread_all(int fd, void *data, size_t n, uint64_t off)
{
	unsigned char *p = data;
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, p + got, n - got, (off_t)(off + got));

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static int sync_fd(int fd)
{
	int rc;

	do {
#if defined(_POSIX_SYNCHRONIZED_IO) && _POSIX_SYNCHRONIZED_IO > 0
		rc = fdatasync(fd);
#else
		rc = fsync(fd);
#endif
	} while (rc != 0 && errno == EINTR);
	return rc;
}

/* fsyncs the directory holding path, so that a create or a rename in it
 * is durable. */
static int sync_dir(kehu_storage_file *fs, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;
	char *dir;
	int dfd;
	int rc = KEHU_OK;

	if (n == 0)
		n = 1; /* "/file" */
	dir = fs_alloc(fs, n + 1);
	if (!dir)
		return fail(fs, KEHU_ENOMEM, "out of memory");
	if (slash)
		memcpy(dir, path, n);
	else
		dir[0] = '.';
	dir[n] = '\0';
	dfd = open(dir, O_RDONLY | O_CLOEXEC);
	if (dfd < 0) {
		rc = fail_errno(fs, KEHU_ESTORAGE, "open directory of", errno);
	} else {
		if (fsync(dfd) != 0 && errno != EINVAL)
			rc = fail_errno(fs, KEHU_ESTORAGE,
			                "fsync directory of", errno);
		close(dfd);
	}
	fs_free(fs, dir, n + 1);
	return rc;
}

/* Takes the write lock on the whole file without waiting. */
static int lock_fd(kehu_storage_file *fs, int fd)
{
	struct flock l;

	memset(&l, 0, sizeof l);
	l.l_type = F_WRLCK;
	l.l_whence = SEEK_SET;
	l.l_start = 0;
	l.l_len = 0;
	if (fcntl(fd, F_SETLK, &l) == 0)
		return KEHU_OK;
	if (errno == EACCES || errno == EAGAIN) {
		long pid = 0;

		memset(&l, 0, sizeof l);
		l.l_type = F_WRLCK;
		l.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK)
			pid = (long)l.l_pid;
		snprintf(fs->err, ERR_CAP,
		         "file store '%s' is open for writing by another "
		         "process (pid %ld)", fs->path, pid);
		return KEHU_EBUSY;
	}
	return fail_errno(fs, KEHU_ESTORAGE, "lock", errno);
}

/* ---- the writer ---- */

static int ensure_wbuf(kehu_storage_file *fs)
{
	if (fs->w.buf == NULL) {
		fs->w.buf = fs_alloc(fs, WBUF_CAP);
		if (!fs->w.buf)
			return fail(fs, KEHU_ENOMEM, "out of memory");
	}
	return KEHU_OK;
}

static int w_flush(kehu_storage_file *fs, writer *w)
{
	if (w->len == 0)
		return KEHU_OK;
	w->touched = 1;
	if (pwrite_all(w->fd, w->buf, w->len, w->off) != 0)
		return fail_errno(fs, KEHU_ESTORAGE, "write", errno);
	w->off += w->len;
	w->len = 0;
	return KEHU_OK;
}

/*
 * Appends one record: type, then (with_klen) the key's length as a
 * varint, the key, the value.  The caller checked that the body fits in
 * 32 bits.  A record larger than the buffer goes straight to the file.
 */
static int w_record(kehu_storage_file *fs, writer *w, unsigned char type,
                    const void *key, size_t klen, const void *val,
                    size_t vlen, int with_klen)
{
	unsigned char head[KEHU__FILE_FRAME + 1 + 5];
	size_t hl = KEHU__FILE_FRAME;
	size_t total;
	uint32_t c;
	int rc;

	head[hl++] = type;
	if (with_klen)
		hl += varint_put(head + hl, (uint32_t)klen);
	put32(head, (uint32_t)(hl - KEHU__FILE_FRAME + klen + vlen));
	c = crc_upd(fs->crc, 0xFFFFFFFFu, head, 4);
	c = crc_upd(fs->crc, c, head + KEHU__FILE_FRAME,
	            hl - KEHU__FILE_FRAME);
	if (klen > 0)
		c = crc_upd(fs->crc, c, key, klen);
	if (vlen > 0)
		c = crc_upd(fs->crc, c, val, vlen);
	put32(head + 4, ~c);
	total = hl + klen + vlen;
	if (total > WBUF_CAP - w->len) {
		rc = w_flush(fs, w);
		if (rc != KEHU_OK)
			return rc;
	}
	if (total <= WBUF_CAP) {
		unsigned char *p = w->buf + w->len;

		memcpy(p, head, hl);
		if (klen > 0)
			memcpy(p + hl, key, klen);
		if (vlen > 0)
			memcpy(p + hl + klen, val, vlen);
		w->len += total;
		return KEHU_OK;
	}
	w->touched = 1;
	if (pwrite_all(w->fd, head, hl, w->off) != 0 ||
	    pwrite_all(w->fd, key, klen, w->off + hl) != 0 ||
	    pwrite_all(w->fd, val, vlen, w->off + hl + klen) != 0)
		return fail_errno(fs, KEHU_ESTORAGE, "write", errno);
	w->off += total;
	return KEHU_OK;
}

static int w_commit(kehu_storage_file *fs, writer *w, uint64_t seq,
                    uint64_t ops, uint64_t synced)
{
	unsigned char b[KEHU__FILE_COMMIT_BODY - 1];

	put64(b, seq);
	put64(b + 8, ops);
	put64(b + 16, synced);
	return w_record(fs, w, KEHU__FILE_COMMIT, b, sizeof b, NULL, 0, 0);
}

static void header_build(unsigned char *h, uint64_t generation)
{
	memset(h, 0, KEHU__FILE_HDR);
	/* the magic is 8 bytes without a NUL, by format:
	 * NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(h, KEHU__FILE_MAGIC, 8);
	put32(h + 8, KEHU__FILE_FORMAT);
	put32(h + 12, KEHU__FILE_HDR);
	put64(h + 16, generation);
	put32(h + 24, 0);
	put32(h + 28, kehu__file_crc32c(h, 28));
}

/* ---- syncing ---- */

static int64_t clock_now(kehu_storage_file *fs)
{
	return fs->clock ? fs->clock(fs->clock_ud) : 0;
}

static int do_sync(kehu_storage_file *fs)
{
	if (sync_fd(fs->fd) != 0) {
		/* after a failed fsync the page cache cannot be trusted */
		fs->broken = 1;
		return fail_errno(fs, KEHU_ESTORAGE, "fsync", errno);
	}
	fs->synced = fs->w.off;
	fs->syncs++;
	fs->unsynced = 0;
	fs->last_sync_ms = clock_now(fs);
	return KEHU_OK;
}

/* ---- recovery ---- */

typedef struct reader {
	int fd;
	uint64_t size;
	unsigned char *buf;
	size_t cap;
	uint64_t boff;   /* file offset of buf[0] */
	size_t blen;
} reader;

/* Points *out at file bytes [off, off + n), which the caller checked
 * lie inside the file. */
static int r_need(kehu_storage_file *fs, reader *r, uint64_t off, size_t n,
                  const unsigned char **out)
{
	uint64_t want;
	ssize_t got;

	if (off >= r->boff && off + n <= r->boff + r->blen) {
		*out = r->buf + (off - r->boff);
		return KEHU_OK;
	}
	if (n > r->cap) {
		unsigned char *nb = fs->alloc(fs->alloc_ud, r->buf, r->cap, n);

		if (!nb)
			return fail(fs, KEHU_ENOMEM, "out of memory");
		r->buf = nb;
		r->cap = n;
	}
	want = r->size - off;
	if (want > r->cap)
		want = r->cap;
	r->blen = 0;
	got = pread_all(r->fd, r->buf, (size_t)want, off);
	if (got < 0)
		return fail_errno(fs, KEHU_ESTORAGE, "read", errno);
	if ((size_t)got < n)
		return fail(fs, KEHU_ESTORAGE, "the file shrank while "
		                               "being read");
	r->boff = off;
	r->blen = (size_t)got;
	*out = r->buf;
	return KEHU_OK;
}

/* Whether the record at p (len body bytes after the frame) checks. */
static int frame_ok(kehu_storage_file *fs, const unsigned char *p,
                    uint32_t len)
{
	uint32_t c = crc_upd(fs->crc, 0xFFFFFFFFu, p, 4);

	c = crc_upd(fs->crc, c, p + KEHU__FILE_FRAME, len);
	return ~c == get32(p + 4);
}

/*
 * Replays the journal into the memory store, committing each
 * transaction at its commit record.  *bad_out: the offset of the first
 * record that is missing, cut short, fails its checksum or does not
 * parse (r->size if none).  Returns KEHU_OK, or ENOMEM / ESTORAGE.
 */
static int replay(kehu_storage_file *fs, reader *r, uint64_t *bad_out)
{
	void *mud = fs->mvt.user_data;
	uint64_t pos = KEHU__FILE_HDR;
	uint64_t ops = 0;
	int first = 1;
	int txn = 0;
	int rc = KEHU_OK;

	fs->end = KEHU__FILE_HDR;
	while (pos < r->size) {
		const unsigned char *p;
		const unsigned char *b;
		uint32_t len;
		uint32_t klen;
		size_t vs;

		if (r->size - pos < KEHU__FILE_FRAME)
			break;
		rc = r_need(fs, r, pos, KEHU__FILE_FRAME, &p);
		if (rc != KEHU_OK)
			break;
		/* r_need sets p whenever it returns KEHU_OK (the analyzer
		 * stops following fail_errno on this long path)
		 * NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage) */
		len = get32(p);
		if (len < 1 || len > r->size - pos - KEHU__FILE_FRAME)
			break;
		rc = r_need(fs, r, pos, KEHU__FILE_FRAME + (size_t)len, &p);
		if (rc != KEHU_OK)
			break;
		if (!frame_ok(fs, p, len))
			break;
		b = p + KEHU__FILE_FRAME;
		if (b[0] == KEHU__FILE_PUT) {
			vs = varint_get(b + 1, len - 1, &klen);
			if (vs == 0 || klen == 0 || klen > len - 1 - vs)
				break;
			if (!txn && (rc = fs->mvt.begin(mud)) != KEHU_OK)
				break;
			txn = 1;
			rc = fs->mvt.put(b + 1 + vs, klen, b + 1 + vs + klen,
			                 len - 1 - vs - klen, mud);
			if (rc != KEHU_OK) {
				rc = fail_mem(fs, rc);
				break;
			}
			ops++;
		} else if (b[0] == KEHU__FILE_DEL) {
			if (len < 2)
				break;
			if (!txn && (rc = fs->mvt.begin(mud)) != KEHU_OK)
				break;
			txn = 1;
			rc = fs->mvt.del(b + 1, len - 1, mud);
			if (rc != KEHU_OK && rc != KEHU_ENOTFOUND) {
				rc = fail_mem(fs, rc);
				break;
			}
			rc = KEHU_OK;
			ops++;
		} else if (b[0] == KEHU__FILE_COMMIT) {
			uint64_t seq;

			if (len != KEHU__FILE_COMMIT_BODY)
				break;
			seq = get64(b + 1);
			if (get64(b + 9) != ops || get64(b + 17) > pos ||
			    (!first && seq != fs->seq + 1))
				break;
			if (txn && (rc = fs->mvt.commit(mud)) != KEHU_OK)
				break;
			txn = 0;
			first = 0;
			ops = 0;
			fs->seq = seq;
			fs->end = pos + KEHU__FILE_FRAME + len;
			fs->recovered++;
		} else {
			break;
		}
		pos += KEHU__FILE_FRAME + (uint64_t)len;
	}
	if (txn)
		fs->mvt.rollback(mud);
	*bad_out = pos;
	return rc;
}

/*
 * The record at `bad` failed.  It is corruption (not a torn tail) when
 * a valid commit record of a later transaction follows whose `synced`
 * says the bytes at `bad` had already been made durable: a crash cannot
 * have torn them.  Sets *corrupt.
 */
static int classify(kehu_storage_file *fs, reader *r, uint64_t bad,
                    int *corrupt)
{
	uint64_t p;
	int rc;

	*corrupt = 0;
	if (r->size < COMMIT_SIZE)
		return KEHU_OK;
	for (p = bad + 1; p <= r->size - COMMIT_SIZE; p++) {
		const unsigned char *q;
		uint64_t synced;

		rc = r_need(fs, r, p, COMMIT_SIZE, &q);
		if (rc != KEHU_OK)
			return rc;
		/* as in replay: q is set when r_need returns KEHU_OK
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		if (q[KEHU__FILE_FRAME] != KEHU__FILE_COMMIT ||
		    get32(q) != KEHU__FILE_COMMIT_BODY ||
		    !frame_ok(fs, q, KEHU__FILE_COMMIT_BODY))
			continue;
		synced = get64(q + KEHU__FILE_FRAME + 17);
		if (get64(q + KEHU__FILE_FRAME + 1) <= fs->seq || synced > p)
			continue;
		if (synced > bad) {
			*corrupt = 1;
			return KEHU_OK;
		}
	}
	return KEHU_OK;
}

static int live_visit(const void *k, size_t kl, const void *v, size_t vl,
                      void *ctx)
{
	(void)k;
	(void)v;
	*(uint64_t *)ctx += put_size(kl, vl);
	return KEHU_OK;
}

/* A new or empty (or cut short at creation) file: write the header. */
static int init_file(kehu_storage_file *fs, uint64_t size)
{
	unsigned char h[KEHU__FILE_HDR];

	fs->generation = 1;
	fs->end = KEHU__FILE_HDR;
	if (size > 0) {
		fs->torn_tails = 1;
		fs->torn_bytes = size;
	}
	if (fs->readonly) {
		fs->end = size;
		return KEHU_OK;
	}
	header_build(h, fs->generation);
	if (pwrite_all(fs->fd, h, sizeof h, 0) != 0 ||
	    ftruncate(fs->fd, (off_t)KEHU__FILE_HDR) != 0)
		return fail_errno(fs, KEHU_ESTORAGE, "write header of", errno);
	if (fs->durability != KEHU_FILE_SYNC_OFF) {
		if (sync_fd(fs->fd) != 0)
			return fail_errno(fs, KEHU_ESTORAGE, "fsync", errno);
		return sync_dir(fs, fs->path);
	}
	return KEHU_OK;
}

static int check_header(kehu_storage_file *fs, const unsigned char *h)
{
	uint32_t version = get32(h + 8);

	if (memcmp(h, KEHU__FILE_MAGIC, 8) != 0) {
		snprintf(fs->err, ERR_CAP, "'%s' is not a libkehu file store "
		         "(bad magic)", fs->path);
		fs->corrupt_offset = 0;
		return KEHU_ECORRUPT;
	}
	if (get32(h + 28) != kehu__file_crc32c(h, 28)) {
		snprintf(fs->err, ERR_CAP, "file store '%s': the header fails "
		         "its checksum", fs->path);
		fs->corrupt_offset = 0;
		return KEHU_ECORRUPT;
	}
	if (version > KEHU__FILE_FORMAT) {
		snprintf(fs->err, ERR_CAP, "file store '%s' has format version "
		         "%lu, newer than this library's (%u): refused",
		         fs->path, (unsigned long)version, KEHU__FILE_FORMAT);
		return KEHU_ECORRUPT;
	}
	if (version == 0 || get32(h + 12) != KEHU__FILE_HDR) {
		snprintf(fs->err, ERR_CAP, "file store '%s': bad header",
		         fs->path);
		fs->corrupt_offset = 0;
		return KEHU_ECORRUPT;
	}
	fs->generation = get64(h + 16);
	return KEHU_OK;
}

static int recover(kehu_storage_file *fs)
{
	reader r;
	struct stat st;
	const unsigned char *h;
	uint64_t bad;
	int corrupt = 0;
	int rc;

	if (fstat(fs->fd, &st) != 0)
		return fail_errno(fs, KEHU_ESTORAGE, "stat", errno);
	memset(&r, 0, sizeof r);
	r.fd = fs->fd;
	r.size = (uint64_t)st.st_size;
	if (r.size < KEHU__FILE_HDR) {
		/* no commit can precede a whole header: a crash while the
		 * file was created; but never take over a stranger's file */
		size_t n = r.size < 8 ? (size_t)r.size : 8;
		unsigned char b[8];

		if (n > 0 && (pread_all(fs->fd, b, n, 0) != (ssize_t)n ||
		              memcmp(b, KEHU__FILE_MAGIC, n) != 0)) {
			snprintf(fs->err, ERR_CAP, "'%s' is not a libkehu file "
			         "store", fs->path);
			fs->corrupt_offset = 0;
			return KEHU_ECORRUPT;
		}
		return init_file(fs, r.size);
	}
	r.cap = RBUF_CAP;
	r.buf = fs_alloc(fs, r.cap);
	if (!r.buf)
		return fail(fs, KEHU_ENOMEM, "out of memory");
	rc = r_need(fs, &r, 0, KEHU__FILE_HDR, &h);
	if (rc == KEHU_OK)
		rc = check_header(fs, h);
	if (rc == KEHU_ECORRUPT && fs->corrupt_offset == 0 &&
	    (fs->flags & KEHU_FILE_SALVAGE)) {
		/* nothing precedes the header: salvage keeps nothing */
		fs->end = KEHU__FILE_HDR;
		fs->readonly = 1;
		rc = KEHU_OK;
		goto done;
	}
	if (rc == KEHU_OK)
		rc = replay(fs, &r, &bad);
	if (rc == KEHU_OK && bad < r.size)
		rc = classify(fs, &r, bad, &corrupt);
	if (rc != KEHU_OK)
		goto done;
	if (corrupt) {
		fs->corrupt_offset = (int64_t)bad;
		if (!(fs->flags & KEHU_FILE_SALVAGE)) {
			snprintf(fs->err, ERR_CAP, "file store '%s': the "
			         "record at byte %llu fails its checksum "
			         "(%llu transactions before it are whole; "
			         "KEHU_FILE_SALVAGE opens them read-only)",
			         fs->path, (unsigned long long)bad,
			         (unsigned long long)fs->recovered);
			rc = KEHU_ECORRUPT;
			goto done;
		}
		snprintf(fs->err, ERR_CAP, "file store '%s' salvaged: "
		         "corrupt at byte %llu, read-only", fs->path,
		         (unsigned long long)bad);
	} else if (fs->end < r.size) {
		fs->torn_tails = 1;
		fs->torn_bytes = r.size - fs->end;
		if (!fs->readonly &&
		    ftruncate(fs->fd, (off_t)fs->end) != 0) {
			rc = fail_errno(fs, KEHU_ESTORAGE,
			                "cut the torn tail of", errno);
			goto done;
		}
	}
	if (!fs->readonly && fs->durability != KEHU_FILE_SYNC_OFF &&
	    sync_fd(fs->fd) != 0)
		rc = fail_errno(fs, KEHU_ESTORAGE, "fsync", errno);
done:
	fs_free(fs, r.buf, r.cap);
	return rc;
}

/* ---- writing a whole copy (compaction, export) ---- */

typedef struct copy_ctx {
	kehu_storage_file *fs;
	writer *w;
	uint64_t ops;
} copy_ctx;

static int copy_visit(const void *k, size_t kl, const void *v, size_t vl,
                      void *ctx)
{
	copy_ctx *c = ctx;

	c->ops++;
	return w_record(c->fs, c->w, KEHU__FILE_PUT, k, kl, v, vl, 1);
}

/* Writes header, every live key, one commit record into fd (empty);
 * *size_out gets the file's size.  Outside a transaction only. */
static int write_copy(kehu_storage_file *fs, int fd, uint64_t *size_out)
{
	writer w;
	copy_ctx c;
	int rc = ensure_wbuf(fs);

	if (rc != KEHU_OK)
		return rc;
	memset(&w, 0, sizeof w);
	w.fd = fd;
	w.buf = fs->w.buf; /* free outside a transaction */
	header_build(w.buf, fs->generation + 1);
	w.len = KEHU__FILE_HDR;
	c.fs = fs;
	c.w = &w;
	c.ops = 0;
	rc = fs->mvt.scan(NULL, 0, NULL, 0, copy_visit, &c,
	                  fs->mvt.user_data);
	if (rc == KEHU_OK)
		rc = w_commit(fs, &w, fs->seq, c.ops, w.off + w.len);
	if (rc == KEHU_OK)
		rc = w_flush(fs, &w);
	*size_out = w.off;
	return rc;
}

/* path + suffix, allocated (pathlen + strlen(suffix) + 1 bytes). */
static char *path_with(kehu_storage_file *fs, const char *suffix)
{
	size_t sl = strlen(suffix);
	char *p = fs_alloc(fs, fs->pathlen + sl + 1);

	if (p) {
		memcpy(p, fs->path, fs->pathlen);
		memcpy(p + fs->pathlen, suffix, sl + 1);
	}
	return p;
}

static int compact(kehu_storage_file *fs)
{
	char *tmp = path_with(fs, TMP_SUFFIX);
	size_t tl = fs->pathlen + sizeof(TMP_SUFFIX);
	uint64_t size = 0;
	int fd;
	int rc;

	if (!tmp)
		return fail(fs, KEHU_ENOMEM, "out of memory");
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = fail_errno(fs, KEHU_ESTORAGE, "create", errno);
		fs_free(fs, tmp, tl);
		return rc;
	}
	/* lock it before it gets the name: a new opener must find it
	 * locked */
	rc = lock_fd(fs, fd);
	if (rc == KEHU_OK)
		rc = write_copy(fs, fd, &size);
	if (rc == KEHU_OK && fs->durability != KEHU_FILE_SYNC_OFF &&
	    sync_fd(fd) != 0)
		rc = fail_errno(fs, KEHU_ESTORAGE, "fsync", errno);
	if (rc == KEHU_OK && rename(tmp, fs->path) != 0)
		rc = fail_errno(fs, KEHU_ESTORAGE, "rename over", errno);
	if (rc != KEHU_OK) {
		close(fd);
		unlink(tmp);
		fs_free(fs, tmp, tl);
		return rc;
	}
	fs_free(fs, tmp, tl);
	/* the new file has the name now: switch to it whatever follows */
	close(fs->fd);
	fs->fd = fd;
	fs->w.fd = fd;
	fs->w.off = size;
	fs->w.len = 0;
	fs->end = size;
	fs->synced = size;
	fs->live = size - COMMIT_SIZE;
	fs->generation++;
	fs->compactions++;
	fs->unsynced = 0;
	if (fs->durability != KEHU_FILE_SYNC_OFF &&
	    sync_dir(fs, fs->path) != KEHU_OK) {
		/* the rename may not survive a power cut, and the commits
		 * that follow would go with it: stop writing */
		fs->broken = 1;
		return KEHU_ESTORAGE;
	}
	return KEHU_OK;
}

static void maybe_compact(kehu_storage_file *fs)
{
	uint64_t size = fs->end;
	uint64_t garbage = size > fs->live ? size - fs->live : 0;

	if (fs->compact_pct == 0 || size < fs->compact_min ||
	    size < fs->compact_retry ||
	    garbage <= size / 100 * fs->compact_pct)
		return;
	/* the commit stands whatever happens here; a failure only puts
	 * the next try off */
	if (compact(fs) != KEHU_OK)
		fs->compact_retry = size + fs->compact_min;
}

/* ---- the vtable slots ---- */

static kehu_storage_file *store_of(void *user_data)
{
	kehu_storage_file *fs = user_data;

	if (fs == NULL || fs->magic != FS_MAGIC || fs->state != ST_OPEN)
		return NULL;
	return fs;
}

/* Ends the transaction: the index rolls back, the file is cut back to
 * the last commit. */
static int end_txn_rollback(kehu_storage_file *fs)
{
	int rc = KEHU_OK;

	fs->mvt.rollback(fs->mvt.user_data);
	fs->w.len = 0;
	if (fs->w.touched || fs->w.off != fs->end) {
		if (ftruncate(fs->fd, (off_t)fs->end) != 0) {
			fs->broken = 1;
			rc = fail_errno(fs, KEHU_ESTORAGE, "cut back", errno);
		} else {
			fs->w.off = fs->end;
		}
	}
	fs->w.touched = 0;
	if (fs->synced > fs->end)
		fs->synced = fs->end;
	fs->live = fs->txn_live;
	fs->in_txn = 0;
	fs->txn_rc = 0;
	fs->txn_ops = 0;
	return rc;
}

static int f_begin(void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);
	int rc;

	if (!fs)
		return KEHU_EMISUSE;
	if (fs->readonly)
		return fail(fs, KEHU_EMISUSE, "the file store is read-only");
	if (fs->broken)
		return fail(fs, KEHU_ESTORAGE, "an earlier I/O failure left "
		                               "the file store unwritable; "
		                               "reopen it");
	if (fs->in_txn)
		return fail(fs, KEHU_EMISUSE, "transaction already open");
	rc = ensure_wbuf(fs);
	if (rc != KEHU_OK)
		return rc;
	rc = fs->mvt.begin(fs->mvt.user_data);
	if (rc != KEHU_OK)
		return fail_mem(fs, rc);
	fs->in_txn = 1;
	fs->txn_rc = 0;
	fs->txn_ops = 0;
	fs->txn_live = fs->live;
	fs->w.touched = 0;
	return KEHU_OK;
}

static int f_commit(void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);
	uint64_t start;
	int rc;

	if (!fs)
		return KEHU_EMISUSE;
	if (!fs->in_txn)
		return fail(fs, KEHU_EMISUSE, "commit without a transaction");
	if (fs->txn_rc != KEHU_OK) {
		rc = fs->txn_rc;
		end_txn_rollback(fs);
		return fail(fs, rc, "a write of the transaction failed; "
		                    "it was rolled back");
	}
	if (fs->txn_ops == 0) {
		fs->mvt.commit(fs->mvt.user_data);
		fs->in_txn = 0;
		return KEHU_OK;
	}
	start = fs->end;
	rc = w_commit(fs, &fs->w, fs->seq + 1, fs->txn_ops,
	              fs->durability == KEHU_FILE_SYNC_NORMAL ? fs->synced
	                                                       : start);
	if (rc == KEHU_OK)
		rc = w_flush(fs, &fs->w);
	if (rc == KEHU_OK) {
		if (fs->durability == KEHU_FILE_SYNC_FULL ||
		    (fs->durability == KEHU_FILE_SYNC_NORMAL &&
		     (fs->unsynced + 1 >= fs->sync_commits ||
		      (fs->clock && clock_now(fs) - fs->last_sync_ms >=
		                            (int64_t)fs->sync_ms))))
			rc = do_sync(fs);
		else
			fs->unsynced++;
	}
	if (rc != KEHU_OK) {
		char msg[ERR_CAP];

		memcpy(msg, fs->err, ERR_CAP);
		end_txn_rollback(fs);
		memcpy(fs->err, msg, ERR_CAP);
		return rc;
	}
	fs->mvt.commit(fs->mvt.user_data);
	fs->end = fs->w.off;
	fs->seq++;
	fs->commits++;
	fs->in_txn = 0;
	fs->w.touched = 0;
	maybe_compact(fs);
	return KEHU_OK;
}

static int f_rollback(void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);

	if (!fs)
		return KEHU_EMISUSE;
	if (!fs->in_txn)
		return fail(fs, KEHU_EMISUSE,
		            "rollback without a transaction");
	return end_txn_rollback(fs);
}

static int size_sink(const void *v, size_t vl, void *ctx)
{
	(void)v;
	*(size_t *)ctx = vl;
	return KEHU_OK;
}

/* put_size of the key's current value, 0 when absent. */
static uint64_t old_size(kehu_storage_file *fs, const void *key,
                         size_t klen)
{
	size_t vl = 0;

	if (fs->mvt.get(key, klen, size_sink, &vl, fs->mvt.user_data) !=
	    KEHU_OK)
		return 0;
	return put_size(klen, vl);
}

static int check_write(kehu_storage_file *fs, const void *key, size_t klen)
{
	if (key == NULL || klen == 0)
		return fail(fs, KEHU_EINVAL, "empty key");
	if (!fs->in_txn)
		return fail(fs, KEHU_EMISUSE, "write outside a transaction");
	if (fs->txn_rc != KEHU_OK)
		return fail(fs, fs->txn_rc, "a write of the transaction "
		                            "failed; roll it back");
	return KEHU_OK;
}

static int f_put(const void *key, size_t klen, const void *value,
                 size_t vlen, void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);
	uint64_t old;
	int rc;

	if (!fs)
		return KEHU_EMISUSE;
	if (value == NULL && vlen > 0)
		return fail(fs, KEHU_EINVAL, "NULL value");
	if (klen > MAX_BODY / 2 || vlen > MAX_BODY - klen)
		return fail(fs, KEHU_EINVAL, "key and value too long");
	rc = check_write(fs, key, klen);
	if (rc != KEHU_OK)
		return rc;
	old = old_size(fs, key, klen);
	rc = fs->mvt.put(key, klen, value, vlen, fs->mvt.user_data);
	if (rc != KEHU_OK)
		return fail_mem(fs, rc);
	fs->live = fs->live - old + put_size(klen, vlen);
	fs->txn_ops++;
	rc = w_record(fs, &fs->w, KEHU__FILE_PUT, key, klen, value, vlen, 1);
	if (rc != KEHU_OK)
		fs->txn_rc = rc;
	return rc;
}

static int f_del(const void *key, size_t klen, void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);
	uint64_t old;
	int rc;

	if (!fs)
		return KEHU_EMISUSE;
	if (klen > MAX_BODY)
		return fail(fs, KEHU_EINVAL, "key too long");
	rc = check_write(fs, key, klen);
	if (rc != KEHU_OK)
		return rc;
	old = old_size(fs, key, klen);
	if (old == 0)
		return KEHU_ENOTFOUND;
	rc = fs->mvt.del(key, klen, fs->mvt.user_data);
	if (rc != KEHU_OK)
		return rc == KEHU_ENOTFOUND ? rc : fail_mem(fs, rc);
	fs->live -= old;
	fs->txn_ops++;
	rc = w_record(fs, &fs->w, KEHU__FILE_DEL, key, klen, NULL, 0, 0);
	if (rc != KEHU_OK)
		fs->txn_rc = rc;
	return rc;
}

static int f_get(const void *key, size_t klen, kehu_storage_sink_cb sink,
                 void *sink_ctx, void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);
	int rc;

	if (!fs)
		return KEHU_EMISUSE;
	rc = fs->mvt.get(key, klen, sink, sink_ctx, fs->mvt.user_data);
	if (rc == KEHU_EINVAL)
		return fail_mem(fs, rc);
	return rc;
}

static int f_scan(const void *start, size_t slen, const void *end,
                  size_t elen, kehu_storage_visit_cb visit, void *visit_ctx,
                  void *user_data)
{
	kehu_storage_file *fs = store_of(user_data);
	int rc;

	if (!fs)
		return KEHU_EMISUSE;
	rc = fs->mvt.scan(start, slen, end, elen, visit, visit_ctx,
	                  fs->mvt.user_data);
	if (rc == KEHU_EINVAL)
		return fail_mem(fs, rc);
	return rc;
}

static const char *f_errmsg(void *user_data)
{
	kehu_storage_file *fs = user_data;

	if (fs == NULL || fs->magic != FS_MAGIC)
		return NULL;
	return fs->err;
}

/* ---- public entry points ---- */

KEHU_API int kehu_file_store_options_init(kehu_file_store_options *opts,
                                          uint32_t version)
{
	if (opts == NULL || version != KEHU_FILE_STORE_OPTIONS_VERSION)
		return KEHU_EINVAL;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	opts->alloc = NULL;
	opts->alloc_user_data = NULL;
	opts->flags = 0;
	opts->durability = KEHU_FILE_SYNC_FULL;
	opts->sync_every_commits = 100;
	opts->sync_every_ms = 1000;
	opts->clock_ms = NULL;
	opts->clock_user_data = NULL;
	opts->compact_garbage_percent = 50;
	opts->compact_min_bytes = (uint64_t)4 << 20;
	return KEHU_OK;
}

static int open_file(kehu_storage_file *fs)
{
	int oflags = (fs->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	int tries;

	if (!fs->readonly && !(fs->flags & KEHU_FILE_MUST_EXIST))
		oflags |= O_CREAT;
	for (tries = 0;; tries++) {
		struct stat st;
		struct stat named;
		int rc;

		fs->fd = open(fs->path, oflags, 0666);
		if (fs->fd < 0) {
			if (errno == ENOENT)
				return fail_errno(fs, KEHU_ENOTFOUND, "open",
				                  errno);
			if (errno == EISDIR)
				return fail_errno(fs, KEHU_EINVAL, "open",
				                  errno);
			return fail_errno(fs, KEHU_ESTORAGE, "open", errno);
		}
		if (fstat(fs->fd, &st) != 0)
			return fail_errno(fs, KEHU_ESTORAGE, "stat", errno);
		if (!S_ISREG(st.st_mode)) {
			snprintf(fs->err, ERR_CAP, "'%s' is not a regular file",
			         fs->path);
			return KEHU_EINVAL;
		}
		if (fs->readonly)
			return KEHU_OK;
		rc = lock_fd(fs, fs->fd);
		if (rc != KEHU_OK)
			return rc;
		/* a compaction may have renamed a new file over the one we
		 * opened before we locked it: then lock the new one */
		if (stat(fs->path, &named) == 0 && named.st_dev == st.st_dev &&
		    named.st_ino == st.st_ino)
			return KEHU_OK;
		close(fs->fd);
		fs->fd = -1;
		if (tries + 1 >= LOCK_TRIES) {
			snprintf(fs->err, ERR_CAP, "file store '%s' keeps "
			         "being replaced by another process", fs->path);
			return KEHU_EBUSY;
		}
	}
}

static int apply_options(kehu_storage_file *fs,
                         const kehu_file_store_options *o)
{
	if (o->flags & ~(KEHU_FILE_READONLY | KEHU_FILE_SALVAGE |
	                 KEHU_FILE_MUST_EXIST))
		return fail(fs, KEHU_EINVAL, "unknown file store flags");
	if (o->durability != KEHU_FILE_SYNC_FULL &&
	    o->durability != KEHU_FILE_SYNC_NORMAL &&
	    o->durability != KEHU_FILE_SYNC_OFF)
		return fail(fs, KEHU_EINVAL, "unknown durability mode");
	if (o->compact_garbage_percent > 100)
		return fail(fs, KEHU_EINVAL, "compact_garbage_percent is "
		                             "over 100");
	fs->flags = o->flags;
	fs->readonly = (o->flags & (KEHU_FILE_READONLY |
	                            KEHU_FILE_SALVAGE)) != 0;
	fs->durability = o->durability;
	fs->sync_commits = o->sync_every_commits ? o->sync_every_commits : 1;
	fs->sync_ms = o->sync_every_ms;
	fs->clock = o->clock_ms;
	fs->clock_ud = o->clock_user_data;
	fs->compact_pct = o->compact_garbage_percent;
	fs->compact_min = o->compact_min_bytes;
	return KEHU_OK;
}

static int open_store(kehu_storage_file *fs, const char *path,
                      const kehu_file_store_options *o)
{
	uint64_t live = KEHU__FILE_HDR;
	int rc;

	if (o->version != KEHU_FILE_STORE_OPTIONS_VERSION)
		return fail(fs, KEHU_EINVAL, "unknown file store options "
		                             "version");
	rc = apply_options(fs, o);
	if (rc != KEHU_OK)
		return rc;
	if (path == NULL || *path == '\0')
		return fail(fs, KEHU_EINVAL, "no path");
	fs->pathlen = strlen(path);
	fs->path = fs_alloc(fs, fs->pathlen + 1);
	if (!fs->path)
		return fail(fs, KEHU_ENOMEM, "out of memory");
	memcpy(fs->path, path, fs->pathlen + 1);
	rc = kehu_storage_memory_new(&fs->mem, fs->alloc, fs->alloc_ud);
	if (rc != KEHU_OK)
		return fail(fs, rc, "out of memory");
	kehu_storage_memory_get_vtable(fs->mem, &fs->mvt);
	rc = open_file(fs);
	if (rc == KEHU_OK)
		rc = recover(fs);
	if (rc != KEHU_OK)
		return rc;
	rc = fs->mvt.scan(NULL, 0, NULL, 0, live_visit, &live,
	                  fs->mvt.user_data);
	if (rc != KEHU_OK)
		return fail_mem(fs, rc);
	fs->live = live;
	fs->w.fd = fs->fd;
	fs->w.off = fs->end;
	fs->synced = fs->end;
	fs->last_sync_ms = clock_now(fs);
	if (!fs->readonly) {
		/* a compaction that crashed leaves its temporary file */
		char *tmp = path_with(fs, TMP_SUFFIX);

		if (tmp) {
			unlink(tmp);
			fs_free(fs, tmp, fs->pathlen + sizeof(TMP_SUFFIX));
		}
	}
	if (fs->corrupt_offset < 0)
		snprintf(fs->err, ERR_CAP, "not an error");
	return KEHU_OK;
}

/* Releases what an open store holds; the handle itself stays. */
static void release(kehu_storage_file *fs)
{
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
	kehu_storage_memory_free(fs->mem);
	fs->mem = NULL;
	memset(&fs->mvt, 0, sizeof fs->mvt);
	fs_free(fs, fs->w.buf, WBUF_CAP);
	fs->w.buf = NULL;
	fs_free(fs, fs->path, fs->pathlen + 1);
	fs->path = NULL;
}

KEHU_API int kehu_storage_file_open(kehu_storage_file **out,
                                    const char *path,
                                    const kehu_file_store_options *opts)
{
	kehu_file_store_options defaults;
	kehu_alloc_fn alloc = kehu_alloc_default;
	void *alloc_ud = NULL;
	kehu_storage_file *fs;
	int rc;

	if (out == NULL)
		return KEHU_EINVAL;
	*out = NULL;
	kehu_file_store_options_init(&defaults,
	                             KEHU_FILE_STORE_OPTIONS_VERSION);
	if (opts == NULL)
		opts = &defaults;
	if (opts->version == KEHU_FILE_STORE_OPTIONS_VERSION &&
	    opts->alloc != NULL) {
		alloc = opts->alloc;
		alloc_ud = opts->alloc_user_data;
	}
	fs = alloc(alloc_ud, NULL, 0, sizeof(*fs));
	if (!fs)
		return KEHU_ENOMEM;
	memset(fs, 0, sizeof(*fs));
	fs->magic = FS_MAGIC;
	fs->alloc = alloc;
	fs->alloc_ud = alloc_ud;
	fs->fd = -1;
	fs->corrupt_offset = -1;
	crc_init(fs->crc);
	*out = fs;
	rc = open_store(fs, path, opts);
	if (rc != KEHU_OK) {
		char msg[ERR_CAP];

		/* keep the message: release may not touch it, but be sure */
		memcpy(msg, fs->err, ERR_CAP);
		release(fs);
		memcpy(fs->err, msg, ERR_CAP);
		fs->state = ST_FAILED;
		return rc;
	}
	fs->state = ST_OPEN;
	return KEHU_OK;
}

KEHU_API int kehu_storage_file_get_vtable(kehu_storage_file *fs,
                                          kehu_storage *out)
{
	if (out == NULL)
		return KEHU_EINVAL;
	memset(out, 0, sizeof(*out));
	if (fs == NULL || fs->magic != FS_MAGIC)
		return KEHU_EINVAL;
	if (fs->state != ST_OPEN)
		return KEHU_EMISUSE;
	out->version = KEHU_STORAGE_VERSION;
	out->user_data = fs;
	out->begin = f_begin;
	out->commit = f_commit;
	out->rollback = f_rollback;
	out->get = f_get;
	out->put = f_put;
	out->del = f_del;
	out->scan = f_scan;
	out->close = NULL;
	out->errmsg = f_errmsg;
	return KEHU_OK;
}

KEHU_API int kehu_storage_file_compact(kehu_storage_file *fs)
{
	if (fs == NULL || fs->magic != FS_MAGIC)
		return KEHU_EINVAL;
	if (fs->state != ST_OPEN)
		return KEHU_EMISUSE;
	if (fs->readonly)
		return fail(fs, KEHU_EMISUSE, "the file store is read-only");
	if (fs->in_txn)
		return fail(fs, KEHU_EMISUSE, "compaction inside a "
		                              "transaction");
	if (fs->broken)
		return fail(fs, KEHU_ESTORAGE, "an earlier I/O failure left "
		                               "the file store unwritable");
	return compact(fs);
}

KEHU_API int kehu_storage_file_export(kehu_storage_file *fs,
                                      const char *path)
{
	uint64_t size = 0;
	char *saved;
	int fd;
	int rc;

	if (fs == NULL || fs->magic != FS_MAGIC || path == NULL || !*path)
		return KEHU_EINVAL;
	if (fs->state != ST_OPEN)
		return KEHU_EMISUSE;
	if (fs->in_txn)
		return fail(fs, KEHU_EMISUSE, "export inside a transaction");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;

		/* name the export's path in the message */
		saved = fs->path;
		fs->path = (char *)path;
		rc = fail_errno(fs, e == EEXIST ? KEHU_EEXIST : KEHU_ESTORAGE,
		                "create", e);
		fs->path = saved;
		return rc;
	}
	rc = write_copy(fs, fd, &size);
	if (rc == KEHU_OK && sync_fd(fd) != 0)
		rc = fail_errno(fs, KEHU_ESTORAGE, "fsync", errno);
	close(fd);
	if (rc == KEHU_OK)
		rc = sync_dir(fs, path);
	if (rc != KEHU_OK)
		unlink(path);
	return rc;
}

KEHU_API int kehu_storage_file_sync(kehu_storage_file *fs)
{
	if (fs == NULL || fs->magic != FS_MAGIC)
		return KEHU_EINVAL;
	if (fs->state != ST_OPEN)
		return KEHU_EMISUSE;
	if (fs->readonly)
		return KEHU_OK;
	if (fs->broken)
		return fail(fs, KEHU_ESTORAGE, "an earlier I/O failure left "
		                               "the file store unwritable");
	return do_sync(fs);
}

KEHU_API int kehu_storage_file_stat(const kehu_storage_file *fs,
                                    int32_t which, int64_t *out)
{
	uint64_t v;

	if (fs == NULL || fs->magic != FS_MAGIC || out == NULL)
		return KEHU_EINVAL;
	switch (which) {
	case KEHU_FILE_STAT_FILE_BYTES:
		v = fs->end;
		break;
	case KEHU_FILE_STAT_LIVE_BYTES:
		v = fs->live;
		break;
	case KEHU_FILE_STAT_KEYS:
		v = kehu_storage_memory_count(fs->mem);
		break;
	case KEHU_FILE_STAT_COMMITS:
		v = fs->commits;
		break;
	case KEHU_FILE_STAT_SYNCS:
		v = fs->syncs;
		break;
	case KEHU_FILE_STAT_UNSYNCED:
		v = fs->unsynced;
		break;
	case KEHU_FILE_STAT_TORN_TAILS:
		v = fs->torn_tails;
		break;
	case KEHU_FILE_STAT_TORN_BYTES:
		v = fs->torn_bytes;
		break;
	case KEHU_FILE_STAT_CORRUPT_OFFSET:
		*out = fs->corrupt_offset;
		return KEHU_OK;
	case KEHU_FILE_STAT_COMPACTIONS:
		v = fs->compactions;
		break;
	case KEHU_FILE_STAT_RECOVERED:
		v = fs->recovered;
		break;
	case KEHU_FILE_STAT_READONLY:
		v = (uint64_t)fs->readonly;
		break;
	default:
		return KEHU_EINVAL;
	}
	*out = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
	return KEHU_OK;
}

KEHU_API const char *kehu_storage_file_errmsg(const kehu_storage_file *fs)
{
	if (fs == NULL)
		return "out of memory";
	if (fs->magic != FS_MAGIC)
		return "not a file store";
	return fs->err[0] ? fs->err : "not an error";
}

KEHU_API void kehu_storage_file_close(kehu_storage_file *fs)
{
	if (fs == NULL || fs->magic != FS_MAGIC)
		return;
	if (fs->state == ST_OPEN) {
		if (fs->in_txn)
			end_txn_rollback(fs);
		if (!fs->readonly && !fs->broken && fs->unsynced > 0 &&
		    fs->durability == KEHU_FILE_SYNC_NORMAL)
			sync_fd(fs->fd);
	}
	release(fs);
	fs->magic = 0;
	fs->alloc(fs->alloc_ud, fs, sizeof(*fs), 0);
}
