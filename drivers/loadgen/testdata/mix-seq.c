/* Prints wsp-gen's size sequence for the weights given as arguments (size indexes, space-separated). */
#include <stdio.h>
#include <stdlib.h>
#include "../local-gen/mix.h"

int main(int argc, char **argv)
{
	int weights[16], n = argc - 1;
	uint8_t out[1024];
	int len;
	for (int i = 0; i < n && i < 16; i++)
		weights[i] = atoi(argv[i + 1]);
	len = mix_sequence(weights, n, out, 1024);
	if (len < 0) {
		printf("invalid\n");
		return 0;
	}
	for (int i = 0; i < len; i++)
		printf(i ? " %u" : "%u", out[i]);
	printf("\n");
	return 0;
}
