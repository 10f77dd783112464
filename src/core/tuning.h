/*
 * core/tuning: one switch for code whose only purpose is speed.  A
 * build for size (-Os: the firmware build, whose .text is counted
 * against a budget) leaves out the compiled forms and caches that
 * duplicate a slower path the library keeps anyway: jump programs for
 * rule conditions (the tree walk stays, explanations use it), the
 * per-customer index of tags and attributes (lookups read the record),
 * classify-all's pre-encoded label pairs (each pair is encoded), records
 * read a batch at a time (each is looked up), the in-place readers of
 * day buckets and short varints, inline day numbers, the interaction
 * handle a db keeps for reuse, the memory store's inline key compares
 * and the compares its search skips (and its note of which finger is
 * nearer), malloc for new blocks, the early returns for a record with
 * no attributes or nothing to free and for room already reserved.
 * Results are the same either way; the unit tests run both paths, the
 * slow ones through explanations, overflowing indexes and a build with
 * -Os (doc/performance.md).
 */
#ifndef KEHU_CORE_TUNING_H
#define KEHU_CORE_TUNING_H

#if defined(__OPTIMIZE_SIZE__)
#define KEHU__FAST_PATHS 0
#else
#define KEHU__FAST_PATHS 1
#endif

#endif
