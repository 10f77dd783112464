/*
 * core/utf8: strict UTF-8 validation of the strings hosts hand in.
 */
#ifndef KEHU_CORE_UTF8_H
#define KEHU_CORE_UTF8_H

#include <stddef.h>

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, at
 * most U+10FFFF, no NUL byte), else 0. */
int kehu__utf8_valid(const char *s, size_t len);

#endif
