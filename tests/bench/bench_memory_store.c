/*
 * tests/bench/bench_memory_store: throughput of the memory store
 * (storage layer) on interaction-shaped keys.
 *
 * Keys: 'I' + customer id + time + interaction id, each 8 bytes big
 * endian (25 bytes); values ~60 bytes.  2,000,000 purchases by 100,000
 * customers, each customer's in time order, interleaved over one global
 * clock, all in one transaction.  Two interleavings:
 *  - rounds: every customer buys once per round, in customer order (a
 *    history import sorted by customer per day);
 *  - random: each purchase goes to a pseudo-random customer (a history
 *    import sorted by time only): no locality in key order at all.
 * Prints puts/s, gets/s (same order as the puts) and full-scan entries/s.
 *
 * Usage: bench_memory_store [rounds|random] [n]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kehu/errors.h"
#include "kehu/storage.h"

#define CUSTOMERS 100000u
#define VLEN 60

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
static void make_key(int random, uint64_t i, unsigned char *k)
{
	uint64_t cust = random == 1 ? mix(i) % CUSTOMERS
	              : random == 2 ? i / 20 : i % CUSTOMERS;
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

static int run(int random, uint64_t n)
{
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
		make_key(random, i, k);
		make_value(i, v);
		if (vt.put(k, sizeof(k), v, VLEN, vt.user_data) != KEHU_OK)
			return 1;
	}
	if (vt.commit(vt.user_data) != KEHU_OK)
		return 1;
	tput = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		make_key(random, i, k);
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

	printf("%-7s n=%llu  put %.2f M/s (%.0f ns)  get %.2f M/s  "
	       "scan %.1f M/s  store %.0f MiB\n",
	       random == 1 ? "random" : random ? "sorted" : "rounds", (unsigned long long)n,
	       (double)n / tput / 1e6, tput / (double)n * 1e9,
	       (double)n / tget / 1e6, (double)n / tscan / 1e6,
	       (double)kehu_storage_memory_bytes(m) / 1048576.0);
	kehu_storage_memory_free(m);
	return (sum ^ sc.sum) == 1 ? 2 : 0; /* keep the sums alive */
}

int main(int argc, char **argv)
{
	uint64_t n = 2000000;
	int rc = 0;

	if (argc > 2)
		n = strtoull(argv[2], NULL, 10);
	if (argc < 2 || strcmp(argv[1], "rounds") == 0)
		rc |= run(0, n);
	if (argc < 2 || strcmp(argv[1], "random") == 0)
		rc |= run(1, n);
	if (argc >= 2 && strcmp(argv[1], "sorted") == 0)
		rc |= run(2, n);
	if (rc)
		fprintf(stderr, "bench failed\n");
	return rc;
}
