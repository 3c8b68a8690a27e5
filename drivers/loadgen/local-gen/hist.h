/*
 * Latency histogram, bucket for bucket the scheme of method/histogram.ts ("log-linear-32"): values below
 * 64 ns get 1-ns buckets; each power of two above is split into 32 linear sub-buckets.
 */
#ifndef WSP_HIST_H
#define WSP_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)      /* 32 */
#define HIST_LINEAR_LIMIT (HIST_SUB * 2)    /* 64 */
/* Index of UINT64_MAX is 64 + (63 - 6) * 32 + 31 = 1919. */
#define HIST_BUCKETS 1920

struct hist {
	uint64_t counts[HIST_BUCKETS];
	uint64_t count;
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t sum_ns;
};

static inline unsigned hist_index(uint64_t v)
{
	unsigned e;
	if (v < HIST_LINEAR_LIMIT)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	return HIST_LINEAR_LIMIT + (e - (HIST_SUB_BITS + 1)) * HIST_SUB +
	       (unsigned)(v >> (e - HIST_SUB_BITS)) - HIST_SUB;
}

static inline uint64_t hist_lower(unsigned index)
{
	unsigned e, sub;
	if (index < HIST_LINEAR_LIMIT)
		return index;
	e = HIST_SUB_BITS + 1 + (index - HIST_LINEAR_LIMIT) / HIST_SUB;
	sub = (index - HIST_LINEAR_LIMIT) % HIST_SUB;
	return (uint64_t)(HIST_SUB + sub) << (e - HIST_SUB_BITS);
}

static inline void hist_add(struct hist *h, uint64_t ns)
{
	h->counts[hist_index(ns)]++;
	if (h->count == 0 || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->sum_ns += ns;
}

#endif
