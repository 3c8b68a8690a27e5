/* Prints hist_index and hist_lower of wsp-gen's histogram for each value read from stdin (one per line). */
#include <inttypes.h>
#include <stdio.h>
#include "../local-gen/hist.h"

int main(void)
{
	uint64_t v;
	while (scanf("%" SCNu64, &v) == 1)
		printf("%u %" PRIu64 "\n", hist_index(v), hist_lower(hist_index(v)));
	return 0;
}
