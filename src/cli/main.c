/*
 * cli/main: the `kehu` program's entry: the list of commands, the
 * overall help with the exit codes, and dispatch.
 */
#include <string.h>

#include "cli/cli.h"

typedef struct command {
	char name[12];
	int (*run)(int argc, char **argv);
	char summary[64];
} command;

static const command commands[] = {
	{"import", cli_cmd_import, "import purchases/interactions (CSV, "
	                           "whitespace)"},
	{"customers", cli_cmd_customers, "customers import FILE: customer "
	                                 "master data"},
	{"classify", cli_cmd_classify, "classify every customer, print "
	                               "labels"},
	{"explain", cli_cmd_explain, "why a customer got its labels"},
	{"fit", cli_cmd_fit, "fit a value model (BG/NBD, ...), save it"},
	{"value", cli_cmd_value, "P(alive), predicted purchases and CLV"},
	{"query", cli_cmd_query, "customers matching a segment expression"},
	{"report", cli_cmd_report, "one-page summary (text or --html)"},
	{"demo", cli_cmd_demo, "all of it on the bundled demo data"},
};

static const char usage_text[] =
"usage: kehu COMMAND [OPTIONS] [ARGS]\n"
"\n"
"The libkehu command-line tool: import purchases and customers into a\n"
"libkehu db, classify customers with rule sets, fit value models and\n"
"report.  `kehu COMMAND --help` describes each command.\n"
"\n"
"commands:\n";

static const char trailer_text[] =
"\n"
"The db: the crash-safe file store at --db PATH (or $KEHU_DB), created\n"
"on first import; --db :memory: keeps everything in memory for one\n"
"run.\n"
"\n"
"exit codes: 0 ok, 1 usage error, 2 data error (a bad file, row, rule\n"
"text or argument), 3 storage error (the db file cannot be read or\n"
"written, is locked by another process, or is corrupt).\n";

static void usage(FILE *f)
{
	size_t i;

	fputs(usage_text, f);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		        commands[i].summary);
	fputs(trailer_text, f);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kehu (libkehu) %s\n", kehu_version());
		return CLI_OK;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see kehu --help)", argv[1]);
	return CLI_USAGE;
}
