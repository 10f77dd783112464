/*
 * cli/common: one-line errors, the mapping of library codes to exit
 * codes, whole-file reads and JSON strings (host layer).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kehu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_code(int kehu_rc)
{
	switch (kehu_rc) {
	case KEHU_OK:
		return CLI_OK;
	case KEHU_ESTORAGE:
	case KEHU_ECORRUPT:
	case KEHU_EBUSY:
	case KEHU_ENOMEM:
		return CLI_STORAGE;
	default:
		return CLI_DATA;
	}
}

int cli_fail(kehu_db *db, int rc, const char *what)
{
	cli_error("%s: %s", what, kehu_errmsg(db));
	return cli_exit_code(rc);
}

int cli_read_file(const char *path, char **buf_out, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0, got;

	*buf_out = NULL;
	*len_out = 0;
	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		return CLI_DATA;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if (!(grown = realloc(buf, cap + 1))) {
				free(buf);
				fclose(f);
				cli_error("%s: out of memory", path);
				return CLI_STORAGE;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		cli_error("%s: read error", path);
		free(buf);
		fclose(f);
		return CLI_DATA;
	}
	fclose(f);
	buf[len] = '\0';
	*buf_out = buf;
	*len_out = len;
	return CLI_OK;
}

void cli_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
