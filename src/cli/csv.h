/*
 * cli/csv: splits a memory buffer into records: CSV (RFC 4180 quoting,
 * any one-byte delimiter, LF or CRLF) or whitespace-separated columns
 * (CDNOW's format).  Line numbers are kept for FILE:LINE messages.
 */
#ifndef KEHU_CLI_CSV_H
#define KEHU_CLI_CSV_H

#include <stddef.h>

/* A field: NUL-terminated copy, valid until the next cli_reader_next. */
typedef struct cli_field {
	const char *p;
	size_t n;
} cli_field;

typedef struct cli_reader {
	const char *buf;
	size_t len;
	size_t pos;
	/* ',' ';' '\t' ...; 0: runs of blanks separate fields. */
	char delim;
	/* The line the current record starts on (1-based). */
	long line;
	long next_line;
	char *scratch;
	size_t scratch_cap;
	cli_field *f;
	size_t nf;
	size_t f_cap;
	/* Why the last cli_reader_next returned -1. */
	const char *why;
} cli_reader;

/* Starts reading @p buf (not copied: it must outlive the reader). */
void cli_reader_init(cli_reader *r, const char *buf, size_t len,
                     char delim);

/*
 * Reads the next non-blank record into r->f[0..r->nf).
 * Returns 1 (a record), 0 (end of buffer), -1 (a bad record: r->why
 * says why, r->line where; the reader has moved past it), or -2 (out of
 * memory).
 */
int cli_reader_next(cli_reader *r);

void cli_reader_free(cli_reader *r);

/* Guesses the format from the first non-blank line: ',' ';' or tab if
 * one occurs in it, else 0 (whitespace-separated). */
char cli_guess_delimiter(const char *buf, size_t len);

#endif /* KEHU_CLI_CSV_H */
