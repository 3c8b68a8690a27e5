/*
 * wsp-gen main: EAL and port setup once, then a JSON-lines control loop on stdin/stdout.
 * stdout carries only protocol replies (EAL and driver logs are sent to stderr), one JSON object per line.
 * Usage: wsp-gen <EAL args> -- [--dst-mac=<port>,<mac>]... [--mbufs=<n>] [--ring-size=<n>]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "gen.h"
#include "json.h"

static struct gen G;
static FILE *proto;
static volatile sig_atomic_t signalled;

/* ---- protocol output -------------------------------------------------------------------------- */

static void send_line(struct jbuf *b)
{
	if (b->failed) {
		fputs("{\"ok\":false,\"error\":\"out of memory building the reply\"}\n", proto);
	} else {
		fwrite(b->data, 1, b->len, proto);
		fputc('\n', proto);
	}
	fflush(proto);
}

/* Start a reply object: {"id":<id>,"cmd":<cmd>,"ok":<ok> (the id echoed as given, number or string). */
static void reply_head(struct jbuf *b, const struct json_object *req, const char *cmd, int ok)
{
	const struct json_value *id = req ? json_get(req, "id") : NULL;
	jb_printf(b, "{");
	if (id && id->type == JSON_NUMBER)
		jb_printf(b, "\"id\":%.17g,", id->number);
	else if (id && id->type == JSON_STRING)
		jb_printf(b, "\"id\":"), jb_str(b, id->str), jb_printf(b, ",");
	jb_printf(b, "\"cmd\":");
	jb_str(b, cmd ? cmd : "");
	jb_printf(b, ",\"ok\":%s", ok ? "true" : "false");
}

static void reply_error(const struct json_object *req, const char *cmd, const char *msg)
{
	struct jbuf b;
	jb_init(&b);
	reply_head(&b, req, cmd, 0);
	jb_printf(&b, ",\"error\":");
	jb_str(&b, msg);
	jb_printf(&b, "}");
	send_line(&b);
	jb_free(&b);
}

static void mac_str(const struct rte_ether_addr *a, char *out, size_t n)
{
	rte_ether_format_addr(out, (uint16_t)n, a);
}

static void emit_hello(const struct json_object *req)
{
	struct jbuf b;
	jb_init(&b);
	if (req)
		reply_head(&b, req, "hello", 1), jb_printf(&b, ",");
	else
		jb_printf(&b, "{\"event\":\"hello\",\"ok\":true,");
	jb_printf(&b, "\"version\":\"%s\",\"dpdk\":", GEN_VERSION);
	jb_str(&b, rte_version());
	jb_printf(&b, ",\"pid\":%d,\"tsc_hz\":%" PRIu64 ",\"lcore\":%u,\"cpu\":%d,\"ports\":[", (int)getpid(), G.tsc_hz,
		  G.lcore_id, G.cpu);
	for (int i = 0; i < G.nports; i++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE], dst[RTE_ETHER_ADDR_FMT_SIZE];
		struct rte_eth_link link;
		int up = rte_eth_link_get_nowait(G.ports[i].port_id, &link) == 0 && link.link_status;
		mac_str(&G.ports[i].mac, mac, sizeof(mac));
		mac_str(&G.ports[i].dst_mac, dst, sizeof(dst));
		jb_printf(&b, "%s{\"index\":%d,\"port_id\":%u,\"name\":", i ? "," : "", i, G.ports[i].port_id);
		jb_str(&b, G.ports[i].name);
		jb_printf(&b, ",\"driver\":");
		jb_str(&b, G.ports[i].driver);
		jb_printf(&b, ",\"mac\":\"%s\",\"dst_mac\":\"%s\",\"link_up\":%s}", mac, dst, up ? "true" : "false");
	}
	jb_printf(&b, "]}");
	send_line(&b);
	jb_free(&b);
}

static void emit_stats(const struct json_object *req)
{
	struct jbuf b;
	jb_init(&b);
	reply_head(&b, req, "stats", 1);
	jb_printf(&b, ",\"mbufs_free\":%u,\"ports\":[", rte_mempool_avail_count(G.pool));
	for (int i = 0; i < G.nports; i++) {
		struct rte_eth_stats s;
		struct rte_eth_link link;
		int up = rte_eth_link_get_nowait(G.ports[i].port_id, &link) == 0 && link.link_status;
		memset(&s, 0, sizeof(s));
		rte_eth_stats_get(G.ports[i].port_id, &s);
		jb_printf(&b,
			  "%s{\"index\":%d,\"link_up\":%s,\"ipackets\":%" PRIu64 ",\"opackets\":%" PRIu64
			  ",\"ibytes\":%" PRIu64 ",\"obytes\":%" PRIu64 ",\"imissed\":%" PRIu64 ",\"ierrors\":%" PRIu64
			  ",\"oerrors\":%" PRIu64 ",\"rx_nombuf\":%" PRIu64 ",\"relinks\":%" PRIu64 "}",
			  i ? "," : "", i, up ? "true" : "false", s.ipackets, s.opackets, s.ibytes, s.obytes, s.imissed,
			  s.ierrors, s.oerrors, s.rx_nombuf, G.ports[i].relinks);
	}
	jb_printf(&b, "]}");
	send_line(&b);
	jb_free(&b);
}

/* ---- control input ---------------------------------------------------------------------------- */

#define LINE_MAX_BYTES 65536
static char inbuf[LINE_MAX_BYTES];
static size_t inlen;
static int in_eof, discarding;

/* Read what stdin has (after poll said so). Returns -1 at EOF or error. */
static int fill_input(void)
{
	ssize_t n;
	if (inlen == sizeof(inbuf)) {
		/* A line longer than the buffer: drop it and answer once it ends. */
		discarding = 1;
		inlen = 0;
	}
	n = read(STDIN_FILENO, inbuf + inlen, sizeof(inbuf) - inlen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		in_eof = 1;
		return -1;
	}
	inlen += (size_t)n;
	return 0;
}

/* Take one complete line out of the buffer into line; returns 1 if there was one. */
static int take_line(char *line, size_t cap)
{
	char *nl = memchr(inbuf, '\n', inlen);
	size_t len;
	if (!nl)
		return 0;
	len = (size_t)(nl - inbuf);
	if (discarding) {
		discarding = 0;
		line[0] = '\0';
		memmove(inbuf, nl + 1, inlen - len - 1);
		inlen -= len + 1;
		reply_error(NULL, "", "request line too long (limit 64 KiB)");
		return take_line(line, cap);
	}
	if (len >= cap)
		len = cap - 1;
	memcpy(line, inbuf, len);
	line[len] = '\0';
	memmove(inbuf, nl + 1, inlen - (size_t)(nl - inbuf) - 1);
	inlen -= (size_t)(nl - inbuf) + 1;
	return 1;
}

static int input_ready(int timeout_ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);
	return r > 0;
}

/* ---- trial request ---------------------------------------------------------------------------- */

static int get_num(const struct json_object *req, const char *key, double def, double lo, double hi, double *out,
		   char *err, size_t errlen)
{
	const struct json_value *v = json_get(req, key);
	if (!v) {
		if (isnan(def)) {
			snprintf(err, errlen, "\"%s\" is required", key);
			return -1;
		}
		*out = def;
		return 0;
	}
	if (v->type != JSON_NUMBER || !isfinite(v->number) || v->number < lo || v->number > hi) {
		snprintf(err, errlen, "\"%s\" must be a number in %g..%g", key, lo, hi);
		return -1;
	}
	*out = v->number;
	return 0;
}

static const char *const trial_keys[] = { "id", "cmd", "pps_per_dir", "duration_s", "warmup_s", "frame",
					  "sizes", "weights", "flows", "direction", "latency", "latency_pps_per_dir",
					  "drain_ms", "quiet_ms", "depth_us", "catchup", "link_wait_ms",
					  "timeline_ms", NULL };

static int parse_trial(const struct json_object *req, struct trial_params *tp, char *err, size_t errlen)
{
	const struct json_value *v;
	double x;
	memset(tp, 0, sizeof(*tp));
	for (int i = 0; i < req->count; i++) {
		int known = 0;
		for (int k = 0; trial_keys[k]; k++)
			known |= strcmp(trial_keys[k], req->values[i].key) == 0;
		if (!known) {
			snprintf(err, errlen, "unknown trial field \"%s\"", req->values[i].key);
			return -1;
		}
	}
	if (get_num(req, "pps_per_dir", NAN, 1e-3, 1e9, &tp->pps_per_dir, err, errlen) ||
	    get_num(req, "duration_s", NAN, 1e-3, 86400, &tp->duration_s, err, errlen) ||
	    get_num(req, "warmup_s", 0, 0, 3600, &tp->warmup_s, err, errlen) ||
	    get_num(req, "drain_ms", 100, 0, 60000, &tp->drain_ms, err, errlen) ||
	    get_num(req, "quiet_ms", 20, 0, 60000, &tp->quiet_ms, err, errlen) ||
	    get_num(req, "depth_us", 200, 1, 1e6, &tp->depth_us, err, errlen) ||
	    get_num(req, "catchup", 4, 0, 100, &tp->catchup, err, errlen) ||
	    get_num(req, "link_wait_ms", 5000, 0, 600000, &tp->link_wait_ms, err, errlen) ||
	    get_num(req, "timeline_ms", 0, 0, 60000, &tp->timeline_ms, err, errlen) ||
	    get_num(req, "flows", 1, 1, MAX_FLOWS, &x, err, errlen))
		return -1;
	if (x != floor(x)) {
		snprintf(err, errlen, "\"flows\" must be a whole number");
		return -1;
	}
	tp->flows = (uint32_t)x;

	v = json_get(req, "frame");
	if (v && (json_get(req, "sizes") || json_get(req, "weights"))) {
		snprintf(err, errlen, "give either \"frame\" or \"sizes\" with \"weights\", not both");
		return -1;
	}
	if (v) {
		if (v->type != JSON_NUMBER || v->number != floor(v->number) || v->number < MIN_FRAME ||
		    v->number > MAX_FRAME) {
			snprintf(err, errlen, "\"frame\" must be a whole number of bytes in %d..%d (FCS included)", MIN_FRAME,
				 MAX_FRAME);
			return -1;
		}
		tp->nsizes = 1, tp->sizes[0] = (int)v->number, tp->weights[0] = 1;
	} else {
		const struct json_value *s = json_get(req, "sizes"), *w = json_get(req, "weights");
		if (!s || !w || s->type != JSON_ARRAY || w->type != JSON_ARRAY || s->array_len != w->array_len ||
		    s->array_len == 0 || s->array_len > MAX_SIZES) {
			snprintf(err, errlen, "give \"frame\", or \"sizes\" and \"weights\" as arrays of equal length 1..%d",
				 MAX_SIZES);
			return -1;
		}
		tp->nsizes = s->array_len;
		for (int i = 0; i < s->array_len; i++) {
			double sz = s->array[i], wt = w->array[i];
			if (sz != floor(sz) || sz < MIN_FRAME || sz > MAX_FRAME || wt != floor(wt) || wt < 1 || wt > 1024) {
				snprintf(err, errlen, "sizes must be whole numbers in %d..%d and weights whole in 1..1024",
					 MIN_FRAME, MAX_FRAME);
				return -1;
			}
			tp->sizes[i] = (int)sz, tp->weights[i] = (int)wt;
		}
	}

	v = json_get(req, "direction");
	if (!v) {
		tp->bidirectional = G.nports == 2;
	} else if (v->type == JSON_STRING && strcmp(v->str, "bidirectional") == 0) {
		tp->bidirectional = 1;
	} else if (v->type == JSON_STRING && strcmp(v->str, "unidirectional") == 0) {
		tp->bidirectional = 0;
	} else {
		snprintf(err, errlen, "\"direction\" must be \"bidirectional\" or \"unidirectional\"");
		return -1;
	}
	if (tp->bidirectional && G.nports < 2) {
		snprintf(err, errlen, "bidirectional traffic needs two ports; this session has %d", G.nports);
		return -1;
	}

	v = json_get(req, "latency");
	if (!v || (v->type == JSON_STRING && strcmp(v->str, "none") == 0)) {
		tp->latency = LAT_NONE;
	} else if (v->type == JSON_STRING && strcmp(v->str, "all") == 0) {
		tp->latency = LAT_ALL;
	} else if (v->type == JSON_STRING && strcmp(v->str, "sample") == 0) {
		tp->latency = LAT_SAMPLE;
		if (get_num(req, "latency_pps_per_dir", NAN, 1e-3, 1e9, &tp->latency_pps_per_dir, err, errlen))
			return -1;
	} else {
		snprintf(err, errlen, "\"latency\" must be \"none\", \"all\" or \"sample\"");
		return -1;
	}
	return 0;
}

static int trial_quit_requested;
static char pending_quit_id[64];

/* Called about once per ms during a trial: answers stats, takes abort, end and quit, refuses the rest. */
static int trial_poll(void *ctx)
{
	char line[LINE_MAX_BYTES];
	int stop = POLL_GO;
	(void)ctx;
	if (signalled)
		return 1;
	if (!in_eof && input_ready(0) && fill_input() < 0) {
		trial_quit_requested = 1;
		return 1;
	}
	while (take_line(line, sizeof(line))) {
		struct json_object req;
		char err[200];
		const struct json_value *cmd;
		if (json_parse_object(line, &req, err, sizeof(err)) < 0) {
			reply_error(NULL, "", err);
			continue;
		}
		cmd = json_get(&req, "cmd");
		if (!cmd || cmd->type != JSON_STRING) {
			reply_error(&req, "", "\"cmd\" (a string) is required");
		} else if (strcmp(cmd->str, "stats") == 0) {
			emit_stats(&req);
		} else if (strcmp(cmd->str, "abort") == 0) {
			struct jbuf b;
			jb_init(&b);
			reply_head(&b, &req, "abort", 1);
			jb_printf(&b, ",\"aborted\":true}");
			send_line(&b);
			jb_free(&b);
			stop = POLL_ABORT;
		} else if (strcmp(cmd->str, "end") == 0) {
			/* Close the counted window now; the trial's reply follows as usual. */
			struct jbuf b;
			jb_init(&b);
			reply_head(&b, &req, "end", 1);
			jb_printf(&b, ",\"ended\":true}");
			send_line(&b);
			jb_free(&b);
			if (stop == POLL_GO)
				stop = POLL_END;
		} else if (strcmp(cmd->str, "quit") == 0) {
			const struct json_value *id = json_get(&req, "id");
			trial_quit_requested = 1;
			if (id && id->type == JSON_NUMBER)
				snprintf(pending_quit_id, sizeof(pending_quit_id), "%.17g", id->number);
			stop = POLL_ABORT;
		} else {
			reply_error(&req, cmd->str, "busy: a trial is running (send abort to stop it)");
		}
	}
	return stop;
}

/* A histogram's summary and its non-empty buckets as [lower_ns, count] pairs. */
static void emit_hist(struct jbuf *b, const struct hist *h)
{
	int first = 1;
	jb_printf(b, "\"count\":%" PRIu64 ",\"min_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 ",\"sum_ns\":%" PRIu64 ",\"buckets\":[",
		  h->count, h->min_ns, h->max_ns, h->sum_ns);
	for (unsigned k = 0; k < HIST_BUCKETS; k++) {
		if (!h->counts[k])
			continue;
		jb_printf(b, "%s[%" PRIu64 ",%" PRIu64 "]", first ? "" : ",", hist_lower(k), h->counts[k]);
		first = 0;
	}
	jb_printf(b, "]");
}

static void emit_counts(struct jbuf *b, const uint64_t *v, uint32_t n)
{
	jb_printf(b, "[");
	for (uint32_t i = 0; i < n; i++)
		jb_printf(b, "%s%" PRIu64, i ? "," : "", v[i]);
	jb_printf(b, "]");
}

static void emit_trial(const struct json_object *req, const struct trial_params *tp, const struct trial_result *r)
{
	struct jbuf b;
	jb_init(&b);
	reply_head(&b, req, "trial", 1);
	jb_printf(&b,
		  ",\"aborted\":%s,\"actual_s\":%.9f,\"overrun_s\":%.6f,\"drain_s\":%.6f,\"window_start_unix_us\":%" PRIu64
		  ",\"tsc_hz\":%" PRIu64 ",\"stray\":%" PRIu64 ",\"pps_per_dir\":%.17g,\"mix\":[",
		  r->aborted ? "true" : "false", r->actual_s, r->overrun_s, r->drain_s, r->window_start_unix_us, G.tsc_hz, r->stray,
		  tp->pps_per_dir);
	for (int i = 0; i < tp->nsizes; i++)
		jb_printf(&b, "%s[%d,%d]", i ? "," : "", tp->sizes[i], tp->weights[i]);
	jb_printf(&b, "],\"loop\":{\"iterations\":%" PRIu64 ",\"span_s\":%.6f,\"threshold_ns\":%d,", r->loop_iterations,
		  r->loop_span_s, LOOP_GAP_THRESHOLD_NS);
	emit_hist(&b, r->loop_gaps);
	jb_printf(&b, "}");
	if (r->timeline_bins)
		jb_printf(&b, ",\"timeline_ms\":%.17g", tp->timeline_ms);
	jb_printf(&b, ",\"directions\":[");
	for (int i = 0; i < r->ndirs; i++) {
		const struct dir_result *d = &r->dirs[i];
		const struct gap *g = &d->gap;
		uint64_t lost = d->attempted > d->received ? d->attempted - d->received : 0;
		jb_printf(&b,
			  "%s{\"name\":\"%s\",\"tx_port\":%d,\"rx_port\":%d,\"attempted\":%" PRIu64 ",\"sent\":%" PRIu64
			  ",\"unsent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"reordered\":%" PRIu64
			  ",\"duplicated\":%" PRIu64 ",\"deficit\":%" PRIu64 ",\"warmup_attempted\":%" PRIu64
			  ",\"warmup_unsent\":%" PRIu64,
			  i ? "," : "", d->name, d->tx_port, d->rx_port, d->attempted, d->sent, d->unsent, d->received,
			  lost, d->reordered, d->duplicated, d->deficit, d->warmup_attempted, d->warmup_unsent);
		if (g->packets)
			jb_printf(&b,
				  ",\"gap\":{\"packets\":%" PRIu64 ",\"before_seq\":%" PRIu64 ",\"after_seq\":%" PRIu64
				  ",\"before_tx_s\":%.9f,\"after_tx_s\":%.9f,\"before_rx_s\":%.9f,\"after_rx_s\":%.9f}",
				  g->packets, g->before_seq, g->after_seq, g->before_tx_s, g->after_tx_s, g->before_rx_s,
				  g->after_rx_s);
		else
			jb_printf(&b, ",\"gap\":null");
		if (r->timeline_bins) {
			jb_printf(&b, ",\"timeline\":{\"attempted\":");
			emit_counts(&b, d->tl_attempted, r->timeline_bins);
			jb_printf(&b, ",\"received\":");
			emit_counts(&b, d->tl_received, r->timeline_bins);
			jb_printf(&b, "}");
		}
		jb_printf(&b, ",\"latency\":{");
		emit_hist(&b, d->lat);
		jb_printf(&b, "}}");
	}
	jb_printf(&b, "]}");
	send_line(&b);
	jb_free(&b);
}

/* Handle one request line; returns 1 when the session should end. */
static int handle_line(const char *line)
{
	struct json_object req;
	char err[240];
	const struct json_value *cmd;
	if (line[strspn(line, " \t\r")] == '\0')
		return 0;
	if (json_parse_object(line, &req, err, sizeof(err)) < 0) {
		reply_error(NULL, "", err);
		return 0;
	}
	cmd = json_get(&req, "cmd");
	if (!cmd || cmd->type != JSON_STRING) {
		reply_error(&req, "", "\"cmd\" (a string) is required");
		return 0;
	}
	if (strcmp(cmd->str, "hello") == 0) {
		emit_hello(&req);
	} else if (strcmp(cmd->str, "stats") == 0) {
		emit_stats(&req);
	} else if (strcmp(cmd->str, "abort") == 0) {
		struct jbuf b;
		jb_init(&b);
		reply_head(&b, &req, "abort", 1);
		jb_printf(&b, ",\"aborted\":false}");
		send_line(&b);
		jb_free(&b);
	} else if (strcmp(cmd->str, "end") == 0) {
		/* No trial running: nothing to end (an end that raced the trial's own end). */
		struct jbuf b;
		jb_init(&b);
		reply_head(&b, &req, "end", 1);
		jb_printf(&b, ",\"ended\":false}");
		send_line(&b);
		jb_free(&b);
	} else if (strcmp(cmd->str, "quit") == 0) {
		struct jbuf b;
		jb_init(&b);
		reply_head(&b, &req, "quit", 1);
		jb_printf(&b, "}");
		send_line(&b);
		jb_free(&b);
		return 1;
	} else if (strcmp(cmd->str, "trial") == 0) {
		struct trial_params tp;
		static struct trial_result res;
		const char *terr;
		if (parse_trial(&req, &tp, err, sizeof(err)) < 0) {
			reply_error(&req, "trial", err);
			return 0;
		}
		terr = trial_run(&G, &tp, &res, trial_poll, NULL);
		if (terr)
			reply_error(&req, "trial", terr);
		else
			emit_trial(&req, &tp, &res);
		if (trial_quit_requested || signalled) {
			if (pending_quit_id[0])
				fprintf(proto, "{\"id\":%s,\"cmd\":\"quit\",\"ok\":true}\n", pending_quit_id), fflush(proto);
			return 1;
		}
	} else {
		reply_error(&req, cmd->str, "unknown command (known: hello, trial, stats, abort, end, quit)");
	}
	return 0;
}

/* ---- setup ------------------------------------------------------------------------------------ */

static void fatal_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fatal_json(const char *fmt, ...)
{
	char msg[512];
	struct jbuf b;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "wsp-gen: %s\n", msg);
	jb_init(&b);
	jb_printf(&b, "{\"event\":\"fatal\",\"ok\":false,\"error\":");
	jb_str(&b, msg);
	jb_printf(&b, "}");
	send_line(&b);
	jb_free(&b);
}

static int parse_mac(const char *s, struct rte_ether_addr *out)
{
	return rte_ether_unformat_addr(s, out);
}

/*
 * How long a memif client port keeps trying to connect at start. Its server may be restarting (a DUT
 * brought up again after DPDK 22.11's memif crashed it when a peer left): the connect is refused until it
 * listens again. A few seconds, then the start fails with the reason.
 */
#define MEMIF_CONNECT_WAIT_MS 5000
#define MEMIF_CONNECT_BACKOFF_FIRST_MS 50
#define MEMIF_CONNECT_BACKOFF_CAP_MS 500

/*
 * Start a port. A memif client connects in dev_start and a refused connect() makes it fail with -1,
 * which rte_strerror reads as "Operation not permitted"; the connect's errno is the real reason.
 */
static int start_port(uint16_t port_id)
{
	char sock[128];
	int client = relink_memif_client(port_id, sock, sizeof(sock));
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_get_tsc_cycles();
	unsigned backoff_ms = MEMIF_CONNECT_BACKOFF_FIRST_MS, attempts = 0;
	for (;;) {
		int r, e;
		errno = 0;
		r = rte_eth_dev_start(port_id);
		e = errno;
		attempts++;
		if (r == 0)
			return 0;
		if (!client) {
			fatal_json("port %u: start failed: %s", port_id, rte_strerror(-r));
			return -1;
		}
		if ((rte_get_tsc_cycles() - t0) * 1000 / hz + backoff_ms > MEMIF_CONNECT_WAIT_MS) {
			fatal_json("port %u: the memif client could not connect to %s in %u attempts over %.1f s: %s "
				   "(no memif server listens there: is the peer (the DUT) up?)",
				   port_id, sock, attempts, (double)(rte_get_tsc_cycles() - t0) / (double)hz,
				   e ? strerror(e) : rte_strerror(-r));
			return -1;
		}
		rte_delay_us_sleep(backoff_ms * 1000);
		backoff_ms = backoff_ms * 2 > MEMIF_CONNECT_BACKOFF_CAP_MS ? MEMIF_CONNECT_BACKOFF_CAP_MS : backoff_ms * 2;
	}
}

static int setup_port(int idx, uint16_t port_id, uint16_t ring)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t nb_rxd = ring, nb_txd = ring;
	int socket = rte_eth_dev_socket_id(port_id), r;
	struct port_info *p = &G.ports[idx];
	if (socket < 0)
		socket = (int)rte_socket_id();
	memset(&conf, 0, sizeof(conf));
	if ((r = rte_eth_dev_info_get(port_id, &info)) != 0) {
		fatal_json("port %u: cannot read device info: %s", port_id, rte_strerror(-r));
		return -1;
	}
	/* One pool, refcount 1: the fast-free contract holds where a driver offers it. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	if ((r = rte_eth_dev_configure(port_id, 1, 1, &conf)) != 0 ||
	    (r = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd)) != 0 ||
	    (r = rte_eth_rx_queue_setup(port_id, 0, nb_rxd, (unsigned)socket, NULL, G.pool)) != 0 ||
	    (r = rte_eth_tx_queue_setup(port_id, 0, nb_txd, (unsigned)socket, NULL)) != 0) {
		fatal_json("port %u: configure failed: %s", port_id, rte_strerror(-r));
		return -1;
	}
	if (start_port(port_id) != 0)
		return -1;
	rte_eth_promiscuous_enable(port_id); /* virtio_user has no promiscuous control: not an error */
	p->port_id = port_id;
	p->started = 1;
	rte_eth_macaddr_get(port_id, &p->mac);
	rte_eth_dev_get_name_by_port(port_id, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name ? info.driver_name : "");
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	signalled = 1;
}

int main(int argc, char **argv)
{
	int ret, nargs, proto_fd;
	unsigned mbufs = 16383, ring = 1024;
	struct rte_ether_addr dst_macs[MAX_PORTS];
	int have_dst[MAX_PORTS] = { 0 };
	uint16_t port_id;
	struct sigaction sa;
	char line[LINE_MAX_BYTES];

	/* Keep stdout for the protocol only: anything else printing to fd 1 lands on stderr. */
	proto_fd = dup(STDOUT_FILENO);
	proto = proto_fd >= 0 ? fdopen(proto_fd, "w") : NULL;
	if (!proto || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		perror("wsp-gen: cannot set up the protocol stream");
		return 3;
	}
	rte_openlog_stream(stderr);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocking poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nargs = rte_eal_init(argc, argv);
	if (nargs < 0) {
		fatal_json("EAL init failed: %s", rte_strerror(rte_errno));
		return 3;
	}
	argc -= nargs;
	argv += nargs;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--dst-mac=", 10) == 0) {
			char *comma;
			long p = strtol(a + 10, &comma, 10);
			if (*comma != ',' || p < 0 || p >= MAX_PORTS || parse_mac(comma + 1, &dst_macs[p]) != 0) {
				fatal_json("bad option %s (want --dst-mac=<port 0|1>,<aa:bb:cc:dd:ee:ff>)", a);
				rte_eal_cleanup();
				return 2;
			}
			have_dst[p] = 1;
		} else if (strncmp(a, "--mbufs=", 8) == 0 && atoi(a + 8) >= 1023) {
			mbufs = (unsigned)atoi(a + 8);
		} else if (strncmp(a, "--ring-size=", 12) == 0 && atoi(a + 12) >= 64 && atoi(a + 12) <= 16384) {
			ring = (unsigned)atoi(a + 12);
		} else {
			fatal_json("unknown or bad option %s (known: --dst-mac=<port>,<mac> --mbufs=<n> --ring-size=<n>)", a);
			rte_eal_cleanup();
			return 2;
		}
	}

	G.tsc_hz = rte_get_tsc_hz();
	G.lcore_id = rte_lcore_id();
	G.cpu = sched_getcpu();
	G.nports = (int)rte_eth_dev_count_avail();
	if (G.nports < 1 || G.nports > MAX_PORTS) {
		fatal_json("found %d ports; the generator drives 1 or 2 (give them as --vdev or -a)", G.nports);
		rte_eal_cleanup();
		return 2;
	}
	G.pool = rte_pktmbuf_pool_create("wsp_gen_pool", mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!G.pool) {
		fatal_json("cannot create a pool of %u mbufs: %s (give the generator more memory with -m)", mbufs,
			   rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 3;
	}
	{
		int idx = 0;
		RTE_ETH_FOREACH_DEV(port_id)
		{
			if (setup_port(idx, port_id, (uint16_t)ring) < 0) {
				rte_eal_cleanup();
				return 3;
			}
			if (have_dst[idx])
				G.ports[idx].dst_mac = dst_macs[idx];
			else /* l3fwd's default next-hop MAC for port N is 02:00:00:00:00:N; vdevs do not filter anyway */
				G.ports[idx].dst_mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)idx } };
			idx++;
		}
	}
	relink_init(&G);
	relink_poll(&G, rte_rdtsc());
	emit_hello(NULL);

	ret = 0;
	while (!signalled) {
		int done = 0;
		while (!done && take_line(line, sizeof(line)))
			done = handle_line(line);
		if (done || signalled)
			break;
		if (in_eof)
			break; /* the driver went away: end the session */
		if (input_ready(-1))
			fill_input();
	}

	/* Empty the rings first: memif tears down more cleanly without packets in flight. */
	flush_rx(&G);
	for (int i = G.nports - 1; i >= 0; i--) {
		rte_eth_dev_stop(G.ports[i].port_id);
		rte_eth_dev_close(G.ports[i].port_id);
		/*
		 * With both memif ends in this process, closing one while the interrupt thread still handles
		 * the other's disconnect logs "EAL: Error: Invalid memory": give it time first.
		 */
		if (i > 0)
			rte_delay_us_sleep(50 * 1000);
	}
	rte_eal_cleanup();
	fclose(proto);
	return ret;
}
