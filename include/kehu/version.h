/**
 * @file kehu/version.h
 * @brief Library version, at compile time (macros) and at run time.
 *
 * The meson project version is read from this file: keep the three
 * KEHU_VERSION_MAJOR/MINOR/PATCH lines in this exact form.
 */
#ifndef KEHU_VERSION_H
#define KEHU_VERSION_H

#include "kehu/common.h"

#define KEHU_VERSION_MAJOR 0
#define KEHU_VERSION_MINOR 1
#define KEHU_VERSION_PATCH 0

/** The version as text, "MAJOR.MINOR.PATCH". */
#define KEHU_VERSION_STRING "0.1.0"

/** MAJOR * 1000000 + MINOR * 1000 + PATCH. */
#define KEHU_VERSION_NUMBER                                       \
	(KEHU_VERSION_MAJOR * 1000000 + KEHU_VERSION_MINOR * 1000 + \
	 KEHU_VERSION_PATCH)

/** True when the headers are at least version a.b.c. */
#define KEHU_VERSION_CHECK(a, b, c) \
	(KEHU_VERSION_NUMBER >= ((a) * 1000000 + (b) * 1000 + (c)))

KEHU_BEGIN_DECL

/**
 * The version of the library that is running, as "MAJOR.MINOR.PATCH".
 *
 * Compare with KEHU_VERSION_STRING to detect a header/library mismatch.
 *
 * @return a static string; never NULL.
 * Ownership: static, never freed.  Errors: none.  Thread: any.
 * Since: 0.1
 */
KEHU_API const char *kehu_version(void);

/**
 * The running library's version as MAJOR * 1000000 + MINOR * 1000 + PATCH.
 *
 * @return the version number.  Errors: none.  Thread: any.  Since: 0.1
 */
KEHU_API int32_t kehu_version_number(void);

KEHU_END_DECL

#endif /* KEHU_VERSION_H */
