/*
 * cli/db: the db a command works on (the file store at --db or
 * $KEHU_DB, or ":memory:"), the rule set it classifies with, the
 * default "as of" time and customers named on the command line.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_db_open(cli_db *d, const char *path, int must_exist,
                const char *cmd)
{
	kehu_file_store_options fo;
	kehu_db_options o;
	kehu_storage vt;
	int rc;

	memset(d, 0, sizeof *d);
	if (!path)
		path = getenv("KEHU_DB");
	if (!path || !*path) {
		cli_error("%s: no db: give --db PATH (or set KEHU_DB; "
		          "--db :memory: for a one-shot run)", cmd);
		return CLI_USAGE;
	}
	d->path = path;
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	if (strcmp(path, ":memory:") != 0) {
		kehu_file_store_options_init(&fo,
		                             KEHU_FILE_STORE_OPTIONS_VERSION);
		/* A command is one batch job: fsync at each commit is what
		 * makes an import durable, and imports commit per batch. */
		fo.durability = KEHU_FILE_SYNC_FULL;
		if (must_exist)
			fo.flags |= KEHU_FILE_MUST_EXIST;
		rc = kehu_storage_file_open(&d->fs, path, &fo);
		if (rc != KEHU_OK) {
			const char *msg = kehu_storage_file_errmsg(d->fs);

			/* The store's messages usually name the file. */
			if (strstr(msg, path))
				cli_error("%s", msg);
			else
				cli_error("%s: %s", path, msg);
			return rc == KEHU_ENOTFOUND || rc == KEHU_EINVAL
				? CLI_DATA : CLI_STORAGE;
		}
		kehu_storage_file_get_vtable(d->fs, &vt);
		o.storage = &vt;
	}
	rc = kehu_db_open(&d->db, &o);
	if (rc != KEHU_OK) {
		cli_error("%s: %s", path, kehu_errmsg(d->db));
		return cli_exit_code(rc);
	}
	return CLI_OK;
}

void cli_db_close(cli_db *d)
{
	kehu_db_close(d->db);
	kehu_storage_file_close(d->fs);
	d->db = NULL;
	d->fs = NULL;
}

/*
 * The models `kehu fit` stored (bgnbd, else paretonbd, and gammagamma)
 * become the db's current ones, so rules can use p_alive, clv() and the
 * rest, and the default pack ranks by predicted value.  Without them
 * nothing changes: the historic pack runs.
 */
static int use_stored_models(kehu_db *db)
{
	kehu_model *p = NULL, *s = NULL;
	int rc = kehu_model_load(&p, db, "bgnbd");

	if (rc == KEHU_ENOTFOUND)
		rc = kehu_model_load(&p, db, "paretonbd");
	if (rc == KEHU_OK)
		rc = kehu_model_load(&s, db, "gammagamma");
	if (rc == KEHU_OK)
		rc = kehu_db_set_value_models(db, p, s);
	kehu_model_free(p);
	kehu_model_free(s);
	if (rc != KEHU_OK && rc != KEHU_ENOTFOUND) {
		cli_error("stored value models: %s", kehu_errmsg(db));
		return cli_exit_code(rc);
	}
	return CLI_OK;
}

int cli_rules_open(kehu_rules **out, kehu_db *db, const char *arg)
{
	const char *src;
	char *text = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = use_stored_models(db)) != CLI_OK)
		return rc;
	if (!arg || !strcmp(arg, "default")) {
		src = kehu_rules_default_source_for(db);
		len = strlen(src);
		arg = "default rule pack";
	} else {
		if ((rc = cli_read_file(arg, &text, &len)) != CLI_OK)
			return rc;
		src = text;
	}
	rc = kehu_rules_compile(out, db, src, len);
	free(text);
	if (rc != KEHU_OK) {
		/* kehu_errmsg is "LINE:COLUMN: why": prefix the file. */
		cli_error("%s:%s", arg, kehu_errmsg(db));
		return cli_exit_code(rc);
	}
	return CLI_OK;
}

typedef struct latest {
	kehu_db *db;
	int64_t t;
	int rc;
} latest;

static int latest_cb(kehu_id id, void *user_data)
{
	latest *l = user_data;
	kehu_metrics m;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	if ((l->rc = kehu_metrics_read(&m, l->db, id, 0)) != KEHU_OK)
		return 1;
	if (m.last_contact > l->t)
		l->t = m.last_contact;
	return 0;
}

int cli_as_of(kehu_db *db, const char *arg, int64_t *out)
{
	latest l;

	if (arg) {
		if (cli_parse_time(arg, strlen(arg),
		                   kehu_db_get_utc_offset(db), out)) {
			cli_error("--as-of: '%s' is not a date (YYYY-MM-DD, "
			          "YYYYMMDD or ISO 8601)", arg);
			return CLI_USAGE;
		}
		return CLI_OK;
	}
	l.db = db;
	l.t = 0;
	l.rc = KEHU_OK;
	if (kehu_customer_foreach(db, latest_cb, &l) != KEHU_OK)
		return cli_fail(db, l.rc, "reading metrics");
	*out = l.t;
	return CLI_OK;
}

int cli_customer_find(kehu_db *db, const char *arg, kehu_id *out)
{
	kehu_customer *c;
	char *end;
	long long id;
	int rc;

	if (arg[0] == '#') {
		id = strtoll(arg + 1, &end, 10);
		if (end == arg + 1 || *end || id <= 0) {
			cli_error("'%s' is not a customer id (#ID)", arg);
			return CLI_USAGE;
		}
		rc = kehu_customer_lookup(&c, db, (kehu_id)id);
	} else {
		rc = kehu_customer_lookup_key(&c, db, arg);
	}
	if (rc != KEHU_OK)
		return cli_fail(db, rc, arg);
	*out = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return CLI_OK;
}

int cli_customer_key(kehu_db *db, kehu_id id, char *buf, size_t cap)
{
	kehu_customer *c;
	int rc = kehu_customer_lookup(&c, db, id);

	if (rc != KEHU_OK)
		return rc;
	if (kehu_customer_get_key(c))
		snprintf(buf, cap, "%s", kehu_customer_get_key(c));
	else
		snprintf(buf, cap, "#%lld", (long long)id);
	kehu_customer_free(c);
	return KEHU_OK;
}
