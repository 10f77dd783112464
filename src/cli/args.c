/*
 * cli/args: the option parser every command uses: long options with a
 * value ("--db PATH" or "--db=PATH"), flags, positional arguments, and
 * --help.  Usage errors are one line naming the command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const cli_opt *find_opt(const cli_opt *opts, size_t n,
                               const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(opts[i].name) == len &&
		    memcmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

int cli_parse_args(int argc, char **argv, const cli_opt *opts, size_t n,
                   const char **pos, size_t max_pos, size_t *npos,
                   const char *cmd)
{
	int i, only_pos = 0;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		const cli_opt *o;
		size_t len;

		if (!only_pos && (!strcmp(a, "--help") || !strcmp(a, "-h")))
			return CLI_HELP;
		if (!only_pos && !strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (only_pos || a[0] != '-' || a[1] != '-') {
			if (*npos == max_pos) {
				cli_error("%s: unexpected argument '%s' (see "
				          "kehu %s --help)", cmd, a, cmd);
				return CLI_USAGE;
			}
			pos[(*npos)++] = a;
			continue;
		}
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (!(o = find_opt(opts, n, a + 2, len))) {
			cli_error("%s: unknown option '%.*s' (see kehu %s "
			          "--help)", cmd, (int)(len + 2), a, cmd);
			return CLI_USAGE;
		}
		if (!o->value) {
			if (eq) {
				cli_error("%s: option --%s takes no value", cmd,
				          o->name);
				return CLI_USAGE;
			}
			*o->flag = 1;
			continue;
		}
		if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			cli_error("%s: option --%s needs a value", cmd,
			          o->name);
			return CLI_USAGE;
		}
	}
	return CLI_OK;
}

int cli_parse_int_opt(const char *cmd, const char *name, const char *s,
                      int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		cli_error("%s: --%s wants a whole number from %lld to %lld, "
		          "not '%s'", cmd, name, (long long)lo, (long long)hi,
		          s);
		return CLI_USAGE;
	}
	*out = (int64_t)v;
	return CLI_OK;
}
