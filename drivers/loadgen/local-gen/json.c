#include "json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *what)
{
	snprintf(ps->err, ps->errlen, "bad request JSON: %s", what);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n')
		ps->p++;
}

static int parse_string(struct parser *ps, char *out, size_t outlen)
{
	size_t n = 0;
	if (*ps->p != '"')
		return fail(ps, "expected a string");
	ps->p++;
	while (*ps->p != '"') {
		char c = *ps->p;
		if (c == '\0')
			return fail(ps, "unterminated string");
		if ((unsigned char)c < 0x20)
			return fail(ps, "control character in string");
		if (c == '\\') {
			ps->p++;
			switch (*ps->p) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			default: return fail(ps, "unsupported escape in string");
			}
		}
		if (n + 1 >= outlen)
			return fail(ps, "string too long");
		out[n++] = c;
		ps->p++;
	}
	ps->p++;
	out[n] = '\0';
	return 0;
}

static int parse_number(struct parser *ps, double *out)
{
	char *end;
	const char *s = ps->p;
	/* JSON numbers only: strtod would also take hex, inf and nan. */
	if (!(*s == '-' || isdigit((unsigned char)*s)))
		return fail(ps, "expected a value");
	for (const char *q = s; *q && !strchr(",]} \t\r\n", *q); q++)
		if (!(isdigit((unsigned char)*q) || strchr("+-.eE", *q)))
			return fail(ps, "malformed number");
	*out = strtod(s, &end);
	if (end == s)
		return fail(ps, "malformed number");
	ps->p = end;
	return 0;
}

static int parse_value(struct parser *ps, struct json_value *v)
{
	skip_ws(ps);
	if (*ps->p == '"') {
		v->type = JSON_STRING;
		return parse_string(ps, v->str, sizeof(v->str));
	}
	if (strncmp(ps->p, "true", 4) == 0) {
		v->type = JSON_BOOL, v->number = 1, ps->p += 4;
		return 0;
	}
	if (strncmp(ps->p, "false", 5) == 0) {
		v->type = JSON_BOOL, v->number = 0, ps->p += 5;
		return 0;
	}
	if (strncmp(ps->p, "null", 4) == 0) {
		v->type = JSON_NULL, ps->p += 4;
		return 0;
	}
	if (*ps->p == '[') {
		v->type = JSON_ARRAY;
		v->array_len = 0;
		ps->p++;
		skip_ws(ps);
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		for (;;) {
			skip_ws(ps);
			if (v->array_len >= JSON_MAX_ARRAY)
				return fail(ps, "array too long");
			if (parse_number(ps, &v->array[v->array_len]) < 0)
				return fail(ps, "arrays may hold numbers only");
			v->array_len++;
			skip_ws(ps);
			if (*ps->p == ',') {
				ps->p++;
				continue;
			}
			if (*ps->p == ']') {
				ps->p++;
				return 0;
			}
			return fail(ps, "expected , or ] in array");
		}
	}
	if (*ps->p == '{')
		return fail(ps, "nested objects are not supported");
	v->type = JSON_NUMBER;
	return parse_number(ps, &v->number);
}

int json_parse_object(const char *text, struct json_object *out, char *err, size_t errlen)
{
	struct parser ps = { text, err, errlen };
	out->count = 0;
	skip_ws(&ps);
	if (*ps.p != '{')
		return fail(&ps, "a request is one JSON object per line");
	ps.p++;
	skip_ws(&ps);
	if (*ps.p == '}') {
		ps.p++;
	} else {
		for (;;) {
			struct json_value *v;
			skip_ws(&ps);
			if (out->count >= JSON_MAX_KEYS)
				return fail(&ps, "too many keys");
			v = &out->values[out->count];
			memset(v, 0, sizeof(*v));
			if (parse_string(&ps, v->key, sizeof(v->key)) < 0)
				return -1;
			for (int i = 0; i < out->count; i++)
				if (strcmp(out->values[i].key, v->key) == 0)
					return fail(&ps, "duplicate key");
			skip_ws(&ps);
			if (*ps.p != ':')
				return fail(&ps, "expected :");
			ps.p++;
			if (parse_value(&ps, v) < 0)
				return -1;
			out->count++;
			skip_ws(&ps);
			if (*ps.p == ',') {
				ps.p++;
				continue;
			}
			if (*ps.p == '}') {
				ps.p++;
				break;
			}
			return fail(&ps, "expected , or } in object");
		}
	}
	skip_ws(&ps);
	if (*ps.p != '\0')
		return fail(&ps, "trailing characters after the object");
	return 0;
}

const struct json_value *json_get(const struct json_object *obj, const char *key)
{
	for (int i = 0; i < obj->count; i++)
		if (strcmp(obj->values[i].key, key) == 0)
			return &obj->values[i];
	return NULL;
}

void jb_init(struct jbuf *b)
{
	b->cap = 4096;
	b->len = 0;
	b->failed = 0;
	b->data = malloc(b->cap);
	if (b->data == NULL)
		b->failed = 1, b->cap = 0;
	else
		b->data[0] = '\0';
}

void jb_free(struct jbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int jb_reserve(struct jbuf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (b->len + extra + 1 > b->cap) {
		size_t cap = b->cap * 2;
		char *d;
		while (cap < b->len + extra + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (d == NULL) {
			b->failed = 1;
			return -1;
		}
		b->data = d;
		b->cap = cap;
	}
	return 0;
}

void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (jb_reserve(b, (size_t)n) < 0)
			return;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void jb_str(struct jbuf *b, const char *s)
{
	jb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			jb_printf(b, "\\%c", c);
		else if (c == '\n')
			jb_printf(b, "\\n");
		else if (c < 0x20)
			jb_printf(b, "\\u%04x", c);
		else
			jb_printf(b, "%c", c);
	}
	jb_printf(b, "\"");
}
