/*
 * cli/import: interactions from a file's bytes into a db: CSV with a
 * header row, or whitespace-separated columns like CDNOW's.  The parser
 * works on a memory buffer so that a fuzz target can drive it.
 */
#ifndef KEHU_CLI_IMPORT_H
#define KEHU_CLI_IMPORT_H

#include <stdio.h>

#include "kehu.h"

#define KEHU_CLI_FORMAT_AUTO 0
#define KEHU_CLI_FORMAT_CSV 1
#define KEHU_CLI_FORMAT_WS 2

typedef struct kehu_cli_import_options {
	/* The file name in FILE:LINE messages. */
	const char *name;
	/* KEHU_CLI_FORMAT_*; AUTO guesses from the first line. */
	int format;
	/* CSV delimiter; 0: guessed (',' ';' or tab). */
	char delimiter;
	/* Column names (CSV) or 1-based numbers (whitespace format).
	 * NULL: the usual names (customer, date, amount, type, cost,
	 * account, satisfaction, channel), or for the whitespace format
	 * customer 1, date third from last, amount last. */
	const char *col_customer;
	const char *col_date;
	const char *col_amount;
	const char *col_type;
	const char *col_cost;
	const char *col_account;
	const char *col_satisfaction;
	const char *col_channel;
	/* Stop at the first bad row with nothing written (one transaction
	 * for the whole file); else skip and count bad rows. */
	int strict;
	/* Rows per transaction when not strict (0: 10000). */
	long batch_rows;
	/* Where bad rows are reported (FILE:LINE: reason); NULL: silent. */
	FILE *err;
	/* Called every few thousand rows with the bytes consumed. */
	void (*progress)(size_t done, size_t total, long rows,
	                 void *user_data);
	void *user_data;
} kehu_cli_import_options;

typedef struct kehu_cli_import_stats {
	long rows;      /* interactions recorded */
	long bad;       /* rows skipped (or 1: the row that stopped --strict) */
	long customers; /* customers created */
	long accounts;  /* accounts created */
} kehu_cli_import_stats;

/*
 * Imports @p len bytes of @p buf into @p db.  Returns an exit code:
 * 0 ok (bad rows may have been skipped: see stats), 1 a bad option
 * (unknown column), 2 a data error (no header, --strict and a bad row),
 * 3 a storage error.  Messages go to opts->err.
 */
int kehu_cli_import_buffer(kehu_db *db, const char *buf, size_t len,
                           const kehu_cli_import_options *opts,
                           kehu_cli_import_stats *stats);

/* Customer master data: see customers_import.c. */
int kehu_cli_customers_import_buffer(kehu_db *db, const char *buf,
                                     size_t len, const char *name,
                                     char delimiter, int strict,
                                     FILE *err,
                                     kehu_cli_import_stats *stats);

#endif /* KEHU_CLI_IMPORT_H */
