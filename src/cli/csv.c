/*
 * cli/csv: the record splitter under both importers.  Every field is
 * copied, unquoted, into one scratch buffer sized from the record's raw
 * length, so no field can overrun it whatever the input.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/csv.h"

void cli_reader_init(cli_reader *r, const char *buf, size_t len,
                     char delim)
{
	memset(r, 0, sizeof *r);
	r->buf = buf;
	r->len = len;
	r->delim = delim;
	r->next_line = 1;
	/* A UTF-8 byte order mark is not part of the first header name. */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		r->pos = 3;
}

void cli_reader_free(cli_reader *r)
{
	free(r->scratch);
	free(r->f);
	r->scratch = NULL;
	r->f = NULL;
}

char cli_guess_delimiter(const char *buf, size_t len)
{
	size_t i = 0, e;

	while (i < len && (buf[i] == '\n' || buf[i] == '\r' ||
	                   buf[i] == ' ' || buf[i] == '\t'))
		i++;
	for (e = i; e < len && buf[e] != '\n'; e++)
		;
	if (memchr(buf + i, ',', e - i))
		return ',';
	if (memchr(buf + i, ';', e - i))
		return ';';
	if (memchr(buf + i, '\t', e - i))
		return '\t';
	return 0;
}

static int add_field(cli_reader *r, const char *p, size_t n)
{
	if (r->nf == r->f_cap) {
		size_t cap = r->f_cap ? r->f_cap * 2 : 16;
		cli_field *f = realloc(r->f, cap * sizeof *f);

		if (!f)
			return -1;
		r->f = f;
		r->f_cap = cap;
	}
	r->f[r->nf].p = p;
	r->f[r->nf].n = n;
	r->nf++;
	return 0;
}

/* The end of the record starting at r->pos (the offset of its '\n' or
 * r->len), honouring quotes; *quote_open when a quote never closed. */
static size_t record_end(const cli_reader *r, int *quote_open)
{
	size_t i = r->pos;
	int inq = 0;

	for (; i < r->len; i++) {
		char c = r->buf[i];

		if (r->delim && c == '"')
			inq = !inq;
		else if (c == '\n' && !inq)
			break;
	}
	*quote_open = inq;
	return i;
}

static int split_blank(cli_reader *r, const char *s, size_t n, char *out)
{
	size_t i = 0, b;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == n)
			break;
		b = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		memcpy(out, s + b, i - b);
		out[i - b] = '\0';
		if (add_field(r, out, i - b))
			return -2;
		out += i - b + 1;
	}
	return 1;
}

static int split_csv(cli_reader *r, const char *s, size_t n, char *out)
{
	size_t i = 0;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (;;) {
		char *start = out;

		if (i < n && s[i] == '"') {
			for (i++; i < n; i++) {
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						*out++ = '"';
						i++;
						continue;
					}
					i++;
					break;
				}
				*out++ = s[i];
			}
			/* Text after the closing quote is kept as is. */
			while (i < n && s[i] != r->delim)
				*out++ = s[i++];
		} else {
			while (i < n && s[i] != r->delim)
				*out++ = s[i++];
		}
		*out++ = '\0';
		if (add_field(r, start, (size_t)(out - start - 1)))
			return -2;
		if (i >= n)
			break;
		i++; /* the delimiter */
	}
	return 1;
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int cli_reader_next(cli_reader *r)
{
	for (;;) {
		int quote_open;
		size_t end, n, i;
		const char *s;

		if (r->pos >= r->len)
			return 0;
		end = record_end(r, &quote_open);
		s = r->buf + r->pos;
		n = end - r->pos;
		r->line = r->next_line;
		for (i = 0; i < n; i++)
			if (s[i] == '\n')
				r->next_line++;
		r->next_line++;
		r->pos = end < r->len ? end + 1 : end;
		r->nf = 0;
		if (blank(s, n))
			continue;
		if (quote_open) {
			r->why = "a quote is never closed";
			return -1;
		}
		if (memchr(s, '\0', n)) {
			r->why = "a NUL byte in the row";
			return -1;
		}
		if (r->scratch_cap < 2 * n + 2) {
			char *p = realloc(r->scratch, 2 * n + 2);

			if (!p)
				return -2;
			r->scratch = p;
			r->scratch_cap = 2 * n + 2;
		}
		return r->delim ? split_csv(r, s, n, r->scratch)
		                : split_blank(r, s, n, r->scratch);
	}
}
