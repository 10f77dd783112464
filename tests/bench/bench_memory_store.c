/*
 * tests/bench/bench_memory_store: throughput of the memory store
 * (storage layer) on interaction-shaped keys.  Prints figures; not a
 * test.
 *
 * Keys: 'I' + customer id + time + interaction id, each 8 bytes big
 * endian (25 bytes); values 60 bytes.  2,000,000 purchases by 100,000
 * customers, each customer's in time order, interleaved over one global
 * clock, all in one transaction.  Patterns:
 *  - rounds: every customer buys once per round, in customer order (what
 *    bench_ingest and a day-by-day import do);
 *  - random: each purchase goes to a pseudo-random customer (an import
 *    sorted by time only): no locality in key order at all;
 *  - sorted: all of one customer's purchases, then the next customer's.
 * Each pattern runs twice: "cold" on a fresh heap, whose first touch of
 * every page faults, then (glibc only) "warm" on a heap an earlier run
 * freed and glibc was told to keep, which shows the store's own cost.
 * Prints puts/s, gets/s (in the put order) and full-scan entries/s.
 *
 * Usage: bench_memory_store [rounds|random|sorted|all] [n]
 *
 * (Reading the figures: on a VM where a first-touch page fault costs
 * ~10 us, the ~130 bytes per entry cost ~330 ns per put cold.)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "kehu/errors.h"
#include "kehu/storage.h"

#define CUSTOMERS 100000u
#define VLEN 60

enum { ROUNDS, RANDOM, SORTED };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdu;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53u;
	x ^= x >> 33;
	return x;
}

/* Purchase i (0-based, in global time order) of the pattern. */
static void make_key(int pattern, uint64_t i, uint64_t n, unsigned char *k)
{
	uint64_t per = n / CUSTOMERS ? n / CUSTOMERS : 1;
	uint64_t cust = pattern == RANDOM   ? mix(i) % CUSTOMERS
	                : pattern == SORTED ? i / per
	                                    : i % CUSTOMERS;
	uint64_t t = 1700000000000u + i * 37u; /* ms, rising */

	k[0] = 'I';
	be64(k + 1, cust + 1);
	be64(k + 9, t);
	be64(k + 17, i + 1);
}

static void make_value(uint64_t i, unsigned char *v)
{
	size_t j;

	for (j = 0; j < VLEN; j++)
		v[j] = (unsigned char)(i * 31u + j);
}

typedef struct scan_ctx {
	uint64_t n;
	uint64_t sum;
} scan_ctx;

static int visit(const void *k, size_t kl, const void *v, size_t vl,
                 void *ctx)
{
	scan_ctx *c = ctx;

	c->n++;
	c->sum += kl + vl + ((const unsigned char *)k)[kl - 1] +
	          ((const unsigned char *)v)[0];
	return KEHU_OK;
}

static int sink(const void *v, size_t vl, void *ctx)
{
	*(uint64_t *)ctx += vl + ((const unsigned char *)v)[0];
	return KEHU_OK;
}

static int run(int pattern, const char *heap, uint64_t n)
{
	static const char *const names[] = {"rounds", "random", "sorted"};
	kehu_storage_memory *m;
	kehu_storage vt;
	unsigned char k[25];
	unsigned char v[VLEN];
	scan_ctx sc = {0, 0};
	uint64_t sum = 0;
	uint64_t i;
	double t0;
	double tput;
	double tget;
	double tscan;

	if (kehu_storage_memory_new(&m, NULL, NULL) != KEHU_OK ||
	    kehu_storage_memory_get_vtable(m, &vt) != KEHU_OK)
		return 1;

	t0 = now();
	if (vt.begin(vt.user_data) != KEHU_OK)
		return 1;
	for (i = 0; i < n; i++) {
		make_key(pattern, i, n, k);
		make_value(i, v);
		if (vt.put(k, sizeof(k), v, VLEN, vt.user_data) != KEHU_OK)
			return 1;
	}
	if (vt.commit(vt.user_data) != KEHU_OK)
		return 1;
	tput = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		make_key(pattern, i, n, k);
		if (vt.get(k, sizeof(k), sink, &sum, vt.user_data) != KEHU_OK)
			return 1;
	}
	tget = now() - t0;

	t0 = now();
	if (vt.scan(NULL, 0, NULL, 0, visit, &sc, vt.user_data) != KEHU_OK)
		return 1;
	tscan = now() - t0;
	if (sc.n != n || kehu_storage_memory_count(m) != n)
		return 1;

	if (heap != NULL)
		printf("%-6s %-4s n=%llu  put %5.2f M/s (%4.0f ns)  "
	       "get %5.2f M/s (%4.0f ns)  scan %6.1f M/s  store %.0f MiB\n",
		       names[pattern], heap, (unsigned long long)n,
		       (double)n / tput / 1e6, tput / (double)n * 1e9,
		       (double)n / tget / 1e6, tget / (double)n * 1e9,
		       (double)n / tscan / 1e6,
		       (double)kehu_storage_memory_bytes(m) / 1048576.0);
	fflush(stdout);
	kehu_storage_memory_free(m);
	return (sum ^ sc.sum) == 1 ? 2 : 0; /* keep the sums alive */
}

static int selected(const char *which, int p)
{
	static const char *const names[] = {"rounds", "random", "sorted"};

	return strcmp(which, "all") == 0 || strcmp(which, names[p]) == 0;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	uint64_t n = 2000000;
	int rc = 0;
	int p;

	if (argc > 2)
		n = strtoull(argv[2], NULL, 10);
	for (p = ROUNDS; p <= SORTED; p++) {
		if (!selected(which, p))
			continue;
		rc |= run(p, "cold", n);
#ifdef __GLIBC__
		malloc_trim(0); /* give the pages back: the next run is cold */
#endif
	}
#ifdef __GLIBC__
	/* now keep freed memory in the heap; one unreported run fills it */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	rc |= run(SORTED, NULL, n);
	for (p = ROUNDS; p <= SORTED; p++)
		if (selected(which, p))
			rc |= run(p, "warm", n);
#endif
	if (rc)
		fprintf(stderr, "bench failed\n");
	return rc;
}
