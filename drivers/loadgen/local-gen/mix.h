/* The frame-size mix: a deterministic interleaving of weighted sizes (no DPDK here, so tests compile it alone). */
#ifndef WSP_MIX_H
#define WSP_MIX_H

#include <stdint.h>

#define MIX_MAX_SIZES 8

/*
 * Smooth weighted round robin: slot by slot, every size gains its weight and the one with the most
 * credit goes next, paying the total. 7:4:1 gives a,b,a,a,b,a,c,a,b,a,b,a: no long runs of one size.
 * Returns the sequence length (the sum of weights) or -1 if a weight is not positive or it exceeds max.
 */
static inline int mix_sequence(const int *weights, int n, uint8_t *out, int max)
{
	int total = 0;
	int current[MIX_MAX_SIZES] = { 0 };
	if (n <= 0 || n > MIX_MAX_SIZES)
		return -1;
	for (int i = 0; i < n; i++) {
		if (weights[i] <= 0)
			return -1;
		total += weights[i];
	}
	if (total > max)
		return -1;
	for (int slot = 0; slot < total; slot++) {
		int best = 0;
		for (int i = 0; i < n; i++) {
			current[i] += weights[i];
			if (current[i] > current[best])
				best = i;
		}
		current[best] -= total;
		out[slot] = (uint8_t)best;
	}
	return total;
}

#endif
