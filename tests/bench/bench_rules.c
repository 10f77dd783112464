/*
 * tests/bench/bench_rules: rule evaluation throughput (prints figures;
 * not a test).
 *
 * Builds N synthetic customers (default 1,000,000) in the memory store
 * in one host transaction: two purchases each at deterministic times and
 * amounts, and a complaint for every seventh; every tenth has the two
 * attributes of the strategy matrix, every fiftieth the tag "vip".  Then, as of one `now`:
 *
 * 1. importance + loyalty + lifecycle (no population functions):
 *    kehu_query(db, rules, ALL_ITEMS, now, NULL, NULL, &count): a query
 *    that counts the VIPs but reaches every classification first (no
 *    customer's loyalty or lifecycle is "none", so `or` goes on to the
 *    last term), so every item is evaluated for every customer (queries
 *    evaluate only the items their expression reaches); against the
 *    same logic written in C over kehu_metrics_read.
 * 2. The shipped default pack (kehu_rules_default_source) without its
 *    population items (value_class's quantiles and the RFM block cut
 *    out of the text): importance, loyalty, lifecycle, relationship,
 *    lead_score, prospect_grade and strategy, the last three reading
 *    attributes and the customer's status; a query that reaches every
 *    item.  Rules only: no C counterpart.
 * 3. RFM: three ntile scores (population functions: a pre-pass and a
 *    sort per score) and a classification on them, as a query
 *    `rfm == "champion"`; against C that reads the metrics, sorts three
 *    times and classifies.
 *
 * Each figure is the median of 3 runs; the C and rule counts must agree.
 *
 * usage: bench_rules [customers]
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "kehu.h"

#define T0 INT64_C(1704067200)
#define DAY INT64_C(86400)
#define RUNS 3

/* importance, loyalty and lifecycle as in the default pack, without
 * tags (the C version reads metrics only) */
/* The VIPs, after evaluating loyalty and lifecycle for everyone. */
static const char ALL_ITEMS[] =
	"loyalty == \"none\" or lifecycle == \"none\" or "
	"importance == \"vip\"";

static const char LOGIC[] =
	"ruleset \"bench\" version 1\n"
	"let vip_revenue_365d = 1500.00\n"
	"let important_revenue_365d = 500.00\n"
	"classify importance {\n"
	"  vip       when revenue_365d >= vip_revenue_365d\n"
	"  important when revenue_365d >= important_revenue_365d\n"
	"  ordinary  else\n"
	"}\n"
	"classify loyalty {\n"
	"  potential  when purchases == 0\n"
	"  loyal      when days_since_first_purchase >= 730\n"
	"                  and purchases_365d >= 4\n"
	"  old        when days_since_first_purchase >= 365\n"
	"  regular    when purchases >= 3\n"
	"  occasional else\n"
	"}\n"
	"classify lifecycle {\n"
	"  churned      when purchases > 0 and days_since_last_purchase >= 365\n"
	"  dissatisfied when complaints_90d > 0\n"
	"                    or (satisfaction_count > 0\n"
	"                        and last_satisfaction <= 2)\n"
	"  new          when purchases == 0 or days_since_first_purchase < 90\n"
	"  at_risk      when days_since_last_purchase >= 180\n"
	"  silent       when days_since_last_purchase >= 90\n"
	"  loyal        when loyalty == \"loyal\"\n"
	"  active       else\n"
	"}\n";

static const char RFM[] =
	"ruleset \"rfm\" version 1\n"
	"score r_score = 6 - ntile(min(days_since_last_purchase, 36500), 5)\n"
	"score f_score = ntile(purchases, 5)\n"
	"score m_score = ntile(revenue, 5)\n"
	"classify rfm {\n"
	"  champion when r_score >= 4 and f_score >= 4 and m_score >= 4\n"
	"  at_risk  when r_score <= 2 and m_score >= 4\n"
	"  other    else\n"
	"}\n";

/* Every item of the default pack but its population ones. */
static const char PACK_ITEMS[] =
	"importance == \"?\" or loyalty == \"?\" or lifecycle == \"?\" or "
	"relationship == \"?\" or prospect_grade == \"?\" or "
	"strategy == \"?\" or importance == \"vip\"";

/* ---- helpers ------------------------------------------------------------- */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *state)
{
	/* xorshift64*: deterministic, the same stream every run */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

static void check(kehu_db *db, int rc, const char *what)
{
	if (rc != KEHU_OK) {
		fprintf(stderr, "%s: %s (%s)\n", what, kehu_strerror(rc),
		        db ? kehu_errmsg(db) : "");
		exit(1);
	}
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof v[0], compare_doubles);
	return v[RUNS / 2];
}

static kehu_rules *compile(kehu_db *db, const char *text)
{
	kehu_rules *r = NULL;

	check(db, kehu_rules_compile(&r, db, text, strlen(text)), "compile");
	return r;
}

/* Cuts from `text` the part that starts at `from` and ends before `to`
 * (or at the end when `to` is NULL); exits when `from` is missing, so the
 * bench notices when the pack's layout changes. */
static void cut(char *text, const char *from, const char *to)
{
	char *a = strstr(text, from), *b;

	if (!a) {
		fprintf(stderr, "default pack: no \"%s\"\n", from);
		exit(1);
	}
	b = to ? strstr(a + 1, to) : NULL;
	if (to && !b) {
		fprintf(stderr, "default pack: no \"%s\"\n", to);
		exit(1);
	}
	if (b)
		memmove(a, b, strlen(b) + 1);
	else
		*a = '\0';
}

/* The default pack's text without value_class and RFM. */
static kehu_rules *compile_pack_without_population(kehu_db *db)
{
	const char *src = kehu_rules_default_source();
	char *text = malloc(strlen(src) + 1);
	kehu_rules *r;

	if (!text) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	strcpy(text, src);
	cut(text, "# ---- value class", "# ---- ");
	cut(text, "# ---- RFM", NULL);
	if (strstr(text, "ntile(") || strstr(text, "quantile(")) {
		fprintf(stderr, "default pack: population functions left\n");
		exit(1);
	}
	r = compile(db, text);
	free(text);
	return r;
}

/* ---- the population ------------------------------------------------------ */

static void record(kehu_db *db, kehu_id id, int32_t type, int64_t t,
                   int64_t amount)
{
	kehu_interaction *ix;

	check(db, kehu_interaction_new(&ix, db, id, type, t), "new");
	if (amount)
		check(db, kehu_interaction_set_amount(ix, amount), "amount");
	check(db, kehu_interaction_record(ix), "record");
	kehu_interaction_free(ix);
}

/* Creates n customers (ids first .. first + n - 1), then their
 * interactions, all in one host transaction. */
static kehu_id populate(kehu_db *db, int64_t n)
{
	uint64_t rnd = 88172645463325252u;
	kehu_id first = 0, id = 0;
	int64_t c;

	check(db, kehu_db_begin(db), "begin");
	for (c = 0; c < n; c++) {
		kehu_customer *cu;

		check(db, kehu_customer_create(&cu, db, NULL), "create");
		id = kehu_customer_get_id(cu);
		if (c % 10 == 0) { /* what an ERP sets on its accounts */
			check(db, kehu_customer_set_attr_number(
			                  cu, "share_of_wallet",
			                  (double)(c % 100) / 100.0),
			      "attr");
			check(db, kehu_customer_set_attr_int(
			                  cu, "upcoming_volume", c % 20000),
			      "attr");
			if (c % 50 == 0)
				check(db, kehu_customer_add_tag(cu, "vip"),
				      "tag");
			check(db, kehu_customer_save(cu), "save");
		}
		if (c == 0)
			first = id;
		kehu_customer_free(cu);
	}
	if (id != first + n - 1) {
		fprintf(stderr, "customer ids are not consecutive\n");
		exit(1);
	}
	for (c = 0; c < n; c++) {
		/* every time before now (T0 + 720 days) */
		int64_t t1 = T0 + (c % 700) * DAY + (c * 7919) % DAY;
		int64_t t2 = T0 + ((c * 31 + 17) % 720) * DAY + (c * 104729) % DAY;

		record(db, first + c, KEHU_IX_PURCHASE, t1,
		       1000 + (int64_t)(next_random(&rnd) % 100000));
		record(db, first + c, KEHU_IX_PURCHASE, t2,
		       1000 + (int64_t)(next_random(&rnd) % 100000));
		if (c % 7 == 0)
			record(db, first + c, KEHU_IX_COMPLAINT,
			       T0 + (c % 720) * DAY, 0);
	}
	check(db, kehu_db_commit(db), "commit");
	return first;
}

/* ---- the same logic in C ------------------------------------------------- */

/* "days since" with no event is never: +infinity, as in the rules */
static double days(int64_t v, int64_t event_time)
{
	return event_time < 0 ? HUGE_VAL : (double)v;
}

enum { LOYAL_POTENTIAL, LOYAL_LOYAL, LOYAL_OLD, LOYAL_REGULAR, LOYAL_OCC };
enum { LC_CHURNED, LC_DISSATISFIED, LC_NEW, LC_AT_RISK, LC_SILENT,
       LC_LOYAL, LC_ACTIVE };
enum { IMP_VIP, IMP_IMPORTANT, IMP_ORDINARY };

static int c_importance(const kehu_metrics *m)
{
	if (m->revenue_365d >= 150000)
		return IMP_VIP;
	if (m->revenue_365d >= 50000)
		return IMP_IMPORTANT;
	return IMP_ORDINARY;
}

static int c_loyalty(const kehu_metrics *m)
{
	double first = days(m->days_since_first_purchase, m->first_purchase);

	if (m->purchases == 0)
		return LOYAL_POTENTIAL;
	if (first >= 730 && m->purchases_365d >= 4)
		return LOYAL_LOYAL;
	if (first >= 365)
		return LOYAL_OLD;
	if (m->purchases >= 3)
		return LOYAL_REGULAR;
	return LOYAL_OCC;
}

static int c_lifecycle(const kehu_metrics *m, int loyalty)
{
	double first = days(m->days_since_first_purchase, m->first_purchase);
	double last = days(m->days_since_last_purchase, m->last_purchase);

	if (m->purchases > 0 && last >= 365)
		return LC_CHURNED;
	if (m->complaints_90d > 0 ||
	    (m->satisfaction_count > 0 && m->last_satisfaction <= 2))
		return LC_DISSATISFIED;
	if (m->purchases == 0 || first < 90)
		return LC_NEW;
	if (last >= 180)
		return LC_AT_RISK;
	if (last >= 90)
		return LC_SILENT;
	if (loyalty == LOYAL_LOYAL)
		return LC_LOYAL;
	return LC_ACTIVE;
}

/* Every classification for every customer; returns the vips. */
static int64_t c_logic(kehu_db *db, kehu_id first, int64_t n, int64_t now,
                       int64_t *lifecycle_hist)
{
	kehu_metrics m;
	int64_t c, vips = 0;

	for (c = 0; c < n; c++) {
		int imp, loy, lc;

		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		check(db, kehu_metrics_read(&m, db, first + c, now), "metrics");
		imp = c_importance(&m);
		loy = c_loyalty(&m);
		lc = c_lifecycle(&m, loy);
		vips += imp == IMP_VIP;
		lifecycle_hist[lc]++;
	}
	return vips;
}

typedef struct sample {
	double v;
	int64_t index; /* customer index = id order: ties by id */
} sample;

static int by_value_then_index(const void *pa, const void *pb)
{
	const sample *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

/* ntile(values, 5) into tile[]: ascending, ties by id. */
static void ntile5(const double *values, int64_t n, sample *s,
                   unsigned char *tile)
{
	int64_t i;

	for (i = 0; i < n; i++) {
		s[i].v = values[i];
		s[i].index = i;
	}
	qsort(s, (size_t)n, sizeof *s, by_value_then_index);
	for (i = 0; i < n; i++)
		tile[s[i].index] =
			(unsigned char)(floor((double)i * 5.0 / (double)n) + 1);
}

typedef struct rfm_buf {
	double *r, *f, *m;
	unsigned char *tr, *tf, *tm;
	sample *s;
} rfm_buf;

static int64_t c_rfm(kehu_db *db, kehu_id first, int64_t n, int64_t now,
                     rfm_buf *b)
{
	kehu_metrics m;
	int64_t c, champions = 0;

	for (c = 0; c < n; c++) {
		double last;

		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		check(db, kehu_metrics_read(&m, db, first + c, now), "metrics");
		last = days(m.days_since_last_purchase, m.last_purchase);
		b->r[c] = last < 36500 ? last : 36500;
		b->f[c] = (double)m.purchases;
		b->m[c] = (double)m.revenue;
	}
	ntile5(b->r, n, b->s, b->tr);
	ntile5(b->f, n, b->s, b->tf);
	ntile5(b->m, n, b->s, b->tm);
	for (c = 0; c < n; c++) {
		int r = 6 - b->tr[c], f = b->tf[c], mm = b->tm[c];

		champions += r >= 4 && f >= 4 && mm >= 4;
	}
	return champions;
}

/* ---- main ------------------------------------------------------------------ */

/* This process's CPU time: on a machine shared with other work the
 * wall clock measures the neighbours too. */
static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report(const char *what, int64_t n, double seconds)
{
	printf("  %-34s %10.0f customers/s  %8.1f ns/customer\n", what,
	       (double)n / seconds, seconds * 1e9 / (double)n);
}

int main(int argc, char **argv)
{
	int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
	int64_t now = T0 + 720 * DAY;
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db_options o;
	kehu_db *db;
	kehu_rules *logic, *rfm, *pack;
	kehu_id first;
	double t, t_rules[RUNS], t_c[RUNS], t_rfm[RUNS], t_crfm[RUNS];
	double tc, cpu_rules[RUNS], t_pack[RUNS], cpu_pack[RUNS];
	int64_t q_pack = -1;
	int64_t q_vips = -1, c_vips = -1, q_champ = -1, c_champ = -1;
	int64_t hist[7];
	rfm_buf b;
	struct rusage ru;
	int i;

	if (n < 1) {
		fprintf(stderr, "usage: bench_rules [customers >= 1]\n");
		return 1;
	}
	printf("libkehu %s rules: %" PRId64 " customers, 2 purchases each, a "
	       "complaint for every 7th; memory store; median of %d runs\n",
	       kehu_version(), n, RUNS);

	check(NULL, kehu_storage_memory_new(&mem, NULL, NULL), "memory store");
	kehu_storage_memory_get_vtable(mem, &vt);
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	check(NULL, kehu_db_open(&db, &o), "open");
	t = now_seconds();
	first = populate(db, n);
	printf("populate: %.2f s (one host transaction)\n", now_seconds() - t);
	logic = compile(db, LOGIC);
	rfm = compile(db, RFM);
	pack = compile_pack_without_population(db);

	b.r = malloc((size_t)n * sizeof *b.r);
	b.f = malloc((size_t)n * sizeof *b.f);
	b.m = malloc((size_t)n * sizeof *b.m);
	b.tr = malloc((size_t)n);
	b.tf = malloc((size_t)n);
	b.tm = malloc((size_t)n);
	b.s = malloc((size_t)n * sizeof *b.s);
	if (!b.r || !b.f || !b.m || !b.tr || !b.tf || !b.tm || !b.s) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	for (i = 0; i < RUNS; i++) {
		int64_t q = -1, cv;

		t = now_seconds();
		tc = cpu_seconds();
		check(db, kehu_query(db, logic, ALL_ITEMS, now, NULL, NULL,
		                     &q),
		      "query");
		t_rules[i] = now_seconds() - t;
		cpu_rules[i] = cpu_seconds() - tc;
		memset(hist, 0, sizeof hist);
		t = now_seconds();
		cv = c_logic(db, first, n, now, hist);
		t_c[i] = now_seconds() - t;
		if (i > 0 && (q != q_vips || cv != c_vips)) {
			fprintf(stderr, "runs disagree\n");
			return 1;
		}
		q_vips = q;
		c_vips = cv;

		t = now_seconds();
		tc = cpu_seconds();
		check(db, kehu_query(db, pack, PACK_ITEMS, now, NULL, NULL,
		                     &q),
		      "query pack");
		t_pack[i] = now_seconds() - t;
		cpu_pack[i] = cpu_seconds() - tc;
		if (i > 0 && q != q_pack) {
			fprintf(stderr, "runs disagree\n");
			return 1;
		}
		q_pack = q;

		t = now_seconds();
		check(db, kehu_query(db, rfm, "rfm == \"champion\"", now, NULL,
		                     NULL, &q),
		      "query rfm");
		t_rfm[i] = now_seconds() - t;
		t = now_seconds();
		cv = c_rfm(db, first, n, now, &b);
		t_crfm[i] = now_seconds() - t;
		q_champ = q;
		c_champ = cv;
	}
	if (q_vips != c_vips || q_champ != c_champ) {
		fprintf(stderr, "rules and C disagree: vip %" PRId64 " vs %" PRId64
		        ", champion %" PRId64 " vs %" PRId64 "\n",
		        q_vips, c_vips, q_champ, c_champ);
		return 1;
	}
	printf("check: vip %" PRId64 ", champion %" PRId64 " (rules and C "
	       "agree); lifecycle churned %" PRId64 " dissatisfied %" PRId64
	       " new %" PRId64 " at_risk %" PRId64 " silent %" PRId64
	       " active %" PRId64 "\n",
	       q_vips, q_champ, hist[LC_CHURNED], hist[LC_DISSATISFIED],
	       hist[LC_NEW], hist[LC_AT_RISK], hist[LC_SILENT],
	       hist[LC_ACTIVE]);

	{
		double r = median(t_rules), c = median(t_c);
		double pr = median(t_rfm), pc = median(t_crfm);

		printf("importance + loyalty + lifecycle (no population "
		       "functions):\n");
		report("kehu_query (rules)", n, r);
		report("kehu_query (rules), CPU time", n,
		       median(cpu_rules));
		report("C over kehu_metrics_read", n, c);
		printf("  rules / C time: %.2fx\n", r / c);
		printf("the default pack without population functions "
		       "(7 items, %" PRId64 " vips):\n", q_pack);
		report("kehu_query (rules)", n, median(t_pack));
		report("kehu_query (rules), CPU time", n, median(cpu_pack));
		printf("RFM (3 ntile scores + classification):\n");
		report("kehu_query (rules)", n, pr);
		report("C: metrics, 3 sorts, classify", n, pc);
		printf("  rules / C time: %.2fx\n", pr / pc);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("hot state: %zu bytes/customer; peak RSS: %.1f MiB\n",
	       kehu_db_hot_bytes_per_customer(),
	       (double)ru.ru_maxrss / 1024.0);

	free(b.r);
	free(b.f);
	free(b.m);
	free(b.tr);
	free(b.tf);
	free(b.tm);
	free(b.s);
	kehu_rules_free(pack);
	kehu_rules_free(rfm);
	kehu_rules_free(logic);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
	return 0;
}
