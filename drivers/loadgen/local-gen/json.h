/*
 * The smallest JSON the control protocol needs. Requests are one flat object per line whose values are
 * numbers, strings, booleans, null, or arrays of numbers; anything else is rejected with a message
 * (never a crash). Replies are built with a growable buffer.
 */
#ifndef WSP_JSON_H
#define WSP_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_KEYS 32
#define JSON_MAX_ARRAY 16
#define JSON_MAX_STR 128

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY };

struct json_value {
	char key[JSON_MAX_STR];
	enum json_type type;
	double number; /* JSON_NUMBER, JSON_BOOL (0/1) */
	char str[JSON_MAX_STR];
	double array[JSON_MAX_ARRAY];
	int array_len;
};

struct json_object {
	struct json_value values[JSON_MAX_KEYS];
	int count;
};

/* Parse one request line; returns 0, or -1 with a message in err. */
int json_parse_object(const char *text, struct json_object *out, char *err, size_t errlen);
const struct json_value *json_get(const struct json_object *obj, const char *key);

struct jbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
};

void jb_init(struct jbuf *b);
void jb_free(struct jbuf *b);
void jb_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a JSON string literal (quoted, escaped). */
void jb_str(struct jbuf *b, const char *s);

#endif
