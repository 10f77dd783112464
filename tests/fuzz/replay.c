/*
 * tests/fuzz/replay: the main() of the replay builds of the fuzz targets
 * (rules, codec, file_store, api, import): feeds each file named on the
 * command line, or every file of a named directory in name order, to
 * LLVMFuzzerTestOneInput, so the seed corpus and every fixed finding
 * stay regression tests under any compiler.  Files of a directory named
 * crash-* are open findings: walking a directory skips them (name one on
 * the command line to run it).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb)
				abort();
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir in name order, crash-* excepted. */
static int run_dir(const char *dir, int *ran, int *skipped)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) *
			                                   sizeof *names);

			if (!nn)
				abort();
			names = nn;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n], "%s/%s", dir, e->d_name);
		if (strncmp(e->d_name, "crash-", 6) == 0) {
			printf("skipped (open crash): %s\n", names[n]);
			free(names[n]);
			(*skipped)++;
			continue;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			printf("%s\n", names[i]);
			fflush(stdout);
			rc = run_file(names[i]);
			(*ran)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int i, ran = 0, skipped = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &ran, &skipped) != 0)
				return 1;
		} else {
			if (run_file(argv[i]) != 0)
				return 1;
			ran++;
		}
	}
	printf("%d inputs replayed, %d open crash reproducers skipped\n", ran,
	       skipped);
	/* an empty corpus means a wrong path */
	return ran > 0 ? 0 : 1;
}
