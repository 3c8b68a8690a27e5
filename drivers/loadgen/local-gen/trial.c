/* The trial engine: pacing, packet building, receive accounting. One lcore does all of it. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "gen.h"
#include "mix.h"

_Static_assert(MAX_SIZES <= MIX_MAX_SIZES, "a trial mix must fit mix_sequence");

struct dir_state {
	int id;
	uint16_t tx_port_id, rx_port_id;
	int tx_idx, rx_idx;
	/* pacing */
	double tokens, lat_tokens;
	double deficit; /* tokens lost at the bucket cap (a stall), paid back at catchup x the rate */
	double pkts_per_tsc, lat_per_tsc, depth, catchup;
	uint64_t last_tsc;
	/* building */
	uint8_t tmpl[MAX_SIZES][HDR_LEN];
	uint16_t tmpl_csum[MAX_SIZES]; /* IPv4 checksum with source address 0, as stored */
	uint16_t data_len[MAX_SIZES];
	uint32_t flow;
	uint32_t mix_pos;
	uint64_t seq;
	uint64_t first_counted; /* first sequence number of the counted window */
	/* receiving */
	int have_highest;
	uint64_t highest;
	/* the highest packet, when it was a counted one: where an outage (gap) starts */
	int counted_seen;
	uint64_t highest_tx_tsc, highest_rx_tsc;
	uint64_t bitmap[SEQ_WINDOW / 64];
	struct dir_result *out;
};

enum phase { PH_WARMUP, PH_COUNT, PH_DRAIN };

/* How often the trial loop reads the links (a virtio_user link read is a syscall: not every iteration). */
#define RELINK_POLL_MS 5

static struct dir_state dirs[MAX_DIRS];
static struct hist hists[MAX_DIRS];
static struct hist loop_hist;
static uint64_t tl_attempted[MAX_DIRS][TIMELINE_MAX_BINS], tl_received[MAX_DIRS][TIMELINE_MAX_BINS];
static uint8_t mix_seq[MAX_MIX_SLOTS];
/* The counted window's start and the timeline's bins (bin_tsc 0: no timeline). */
static uint64_t win_start_tsc, bin_tsc;
static uint32_t nbins;

static void build_templates(struct gen *g, struct dir_state *d, const struct trial_params *tp)
{
	const struct port_info *tx = &g->ports[d->tx_idx];
	for (int s = 0; s < tp->nsizes; s++) {
		uint8_t *h = d->tmpl[s];
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)h;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + sizeof(*eth));
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(h + sizeof(*eth) + sizeof(*ip));
		uint16_t l2 = (uint16_t)(tp->sizes[s] - FCS_LEN);
		memset(h, 0, HDR_LEN);
		rte_ether_addr_copy(&tx->dst_mac, &eth->dst_addr);
		rte_ether_addr_copy(&tx->mac, &eth->src_addr);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l2 - sizeof(*eth)));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = 0;
		/* l3fwd's LPM routes 198.18.N.0/24 to port N: address the port the packet must come back on. */
		ip->dst_addr = rte_cpu_to_be_32((198u << 24) | (18u << 16) | ((uint32_t)d->rx_idx << 8) | 2u);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dst_port = rte_cpu_to_be_16(WSP_UDP_DST_PORT);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l2 - sizeof(*eth) - sizeof(*ip)));
		udp->dgram_cksum = 0; /* optional for IPv4 */
		memcpy(&d->tmpl_csum[s], &ip->hdr_checksum, 2);
		d->data_len[s] = l2;
	}
}

/* One's complement update of the stored checksum for a new source address (RFC 1624, words as stored). */
static inline uint16_t csum_with_src(uint16_t csum0, const uint8_t *src)
{
	uint16_t w1, w2;
	uint32_t sum;
	memcpy(&w1, src, 2);
	memcpy(&w2, src + 2, 2);
	sum = (uint16_t)~csum0;
	sum += w1;
	sum += w2;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void build_burst(struct dir_state *d, struct rte_mbuf **m, unsigned n, uint32_t flows,
			       uint32_t mix_len, enum latency_mode lat, uint8_t tag)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
		unsigned s = mix_seq[d->mix_pos];
		uint32_t flow = d->flow;
		uint8_t src[4] = { 10, (uint8_t)d->id, (uint8_t)(flow >> 8), (uint8_t)flow };
		uint16_t csum, sport, magic = WSP_MAGIC, seq_hi;
		uint32_t seq_lo;
		uint8_t dirflag = (uint8_t)d->id;

		if (++d->mix_pos == mix_len)
			d->mix_pos = 0;
		if (++d->flow == flows)
			d->flow = 0;
		memcpy(p, d->tmpl[s], HDR_LEN);
		memcpy(p + 26, src, 4);
		csum = csum_with_src(d->tmpl_csum[s], src);
		memcpy(p + 24, &csum, 2);
		sport = rte_cpu_to_be_16((uint16_t)(1024 + flow % 64512));
		memcpy(p + 34, &sport, 2);
		if (lat == LAT_ALL) {
			dirflag |= DIR_LATENCY_FLAG;
		} else if (lat == LAT_SAMPLE && d->lat_tokens >= 1.0) {
			dirflag |= DIR_LATENCY_FLAG;
			d->lat_tokens -= 1.0;
		}
		seq_lo = (uint32_t)d->seq;
		seq_hi = (uint16_t)(d->seq >> 32);
		d->seq++;
		memcpy(p + OFF_MAGIC, &magic, 2);
		p[OFF_DIR] = dirflag;
		p[OFF_TAG] = tag;
		memcpy(p + OFF_SEQ_LO, &seq_lo, 4);
		memcpy(p + OFF_SEQ_HI, &seq_hi, 2);
		m[i]->data_len = d->data_len[s];
		m[i]->pkt_len = d->data_len[s];
	}
}

/* 0: new and in order, 1: new but below the highest seen (reordered), 2: seen before (duplicate). */
static inline int seq_track(struct dir_state *d, uint64_t seq)
{
	uint64_t *bm = d->bitmap;
#define BIT(s) (bm[((s) % SEQ_WINDOW) / 64] & (1ull << ((s) % 64)))
#define SET(s) (bm[((s) % SEQ_WINDOW) / 64] |= (1ull << ((s) % 64)))
#define CLR(s) (bm[((s) % SEQ_WINDOW) / 64] &= ~(1ull << ((s) % 64)))
	if (!d->have_highest) {
		memset(d->bitmap, 0, sizeof(d->bitmap));
		d->have_highest = 1;
		d->highest = seq;
		SET(seq);
		return 0;
	}
	if (seq > d->highest) {
		if (seq - d->highest >= SEQ_WINDOW) {
			memset(d->bitmap, 0, sizeof(d->bitmap));
		} else {
			for (uint64_t s = d->highest + 1; s < seq; s++)
				CLR(s);
		}
		d->highest = seq;
		SET(seq);
		return 0;
	}
	if (d->highest - seq >= SEQ_WINDOW)
		return 1; /* too old to tell a duplicate from a late packet */
	if (BIT(seq))
		return 2;
	SET(seq);
	return 1;
#undef BIT
#undef SET
#undef CLR
}

static double ns_per_tsc;
static uint64_t stray_count;
static uint64_t last_counted_rx_tsc;

/* Timeline bin of a TX stamp (packets sent at the window's end go to the last bin). */
static inline uint32_t bin_of(uint64_t tsc)
{
	uint64_t b = tsc > win_start_tsc ? (tsc - win_start_tsc) / bin_tsc : 0;
	return b < nbins ? (uint32_t)b : nbins - 1;
}

static inline double since_window_s(uint64_t tsc)
{
	return (double)(int64_t)(tsc - win_start_tsc) * ns_per_tsc / 1e9;
}

static inline void rx_port(struct gen *g, int idx, int ndirs, enum phase ph, uint8_t tag)
{
	struct rte_mbuf *m[RX_BURST];
	uint16_t n;
	uint64_t now;
	if (!g->ports[idx].started)
		return; /* its peer went away and it is not reconnected yet (relink.c) */
	n = rte_eth_rx_burst(g->ports[idx].port_id, 0, m, RX_BURST);
	if (n == 0)
		return;
	now = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);
		uint16_t ethertype, dport, magic, seq_hi;
		uint32_t seq_lo;
		uint64_t seq, tsc, prev_highest;
		struct dir_state *d;
		int st, dir, had_highest;
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		if (m[i]->data_len < HDR_LEN + STAMP_LEN) {
			stray_count++;
			continue;
		}
		memcpy(&ethertype, p + 12, 2);
		memcpy(&dport, p + 36, 2);
		memcpy(&magic, p + OFF_MAGIC, 2);
		if (ethertype != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || p[23] != IPPROTO_UDP ||
		    dport != rte_cpu_to_be_16(WSP_UDP_DST_PORT) || magic != WSP_MAGIC || p[OFF_TAG] != tag) {
			stray_count++;
			continue;
		}
		dir = p[OFF_DIR] & ~DIR_LATENCY_FLAG;
		if (dir >= ndirs || dirs[dir].rx_idx != idx) {
			stray_count++;
			continue;
		}
		d = &dirs[dir];
		memcpy(&seq_lo, p + OFF_SEQ_LO, 4);
		memcpy(&seq_hi, p + OFF_SEQ_HI, 2);
		seq = ((uint64_t)seq_hi << 32) | seq_lo;
		had_highest = d->have_highest;
		prev_highest = d->highest;
		st = seq_track(d, seq);
		if (ph == PH_WARMUP || seq < d->first_counted)
			continue; /* sent during warm-up */
		last_counted_rx_tsc = now;
		if (st == 2) {
			d->out->duplicated++;
			continue;
		}
		d->out->received++;
		memcpy(&tsc, p + OFF_TSC, 8);
		if (st == 1) {
			d->out->reordered++;
		} else {
			/*
			 * A new highest sequence number: the numbers skipped since the last counted one were lost
			 * (or come later, reordered). Keep the longest such run: an outage, with the stamps of the
			 * packets either side of it.
			 */
			if (had_highest && d->counted_seen && seq > prev_highest + 1 &&
			    seq - prev_highest - 1 > d->out->gap.packets) {
				struct gap *g = &d->out->gap;
				g->packets = seq - prev_highest - 1;
				g->before_seq = prev_highest;
				g->after_seq = seq;
				g->before_tx_s = since_window_s(d->highest_tx_tsc);
				g->after_tx_s = since_window_s(tsc);
				g->before_rx_s = since_window_s(d->highest_rx_tsc);
				g->after_rx_s = since_window_s(now);
			}
			d->counted_seen = 1;
			d->highest_tx_tsc = tsc;
			d->highest_rx_tsc = now;
		}
		if (bin_tsc)
			d->out->tl_received[bin_of(tsc)]++;
		if (p[OFF_DIR] & DIR_LATENCY_FLAG)
			hist_add(d->out->lat, now > tsc ? (uint64_t)((double)(now - tsc) * ns_per_tsc) : 0);
	}
	rte_pktmbuf_free_bulk(m, n);
}

/* Add the tokens due up to `upto`; what overflows the shallow bucket becomes deficit, paid back slowly. */
static inline void refill(struct dir_state *d, uint64_t upto, const struct trial_params *tp)
{
	uint64_t elapsed = upto > d->last_tsc ? upto - d->last_tsc : 0;
	double fresh = (double)elapsed * d->pkts_per_tsc, extra;
	d->last_tsc = upto > d->last_tsc ? upto : d->last_tsc;
	/*
	 * A descheduled lcore (shared CPUs) must neither lose the rate nor dump the whole backlog at loop
	 * speed into the DUT's rings: the bucket stays shallow, and what overflowed is paid back at up to
	 * `catchup` times the rate on top.
	 */
	extra = fmin(d->deficit, fresh * d->catchup);
	d->tokens += fresh + extra;
	d->deficit -= extra;
	if (d->tokens > d->depth) {
		d->deficit += d->tokens - d->depth;
		d->tokens = d->depth;
	}
	if (tp->latency == LAT_SAMPLE) {
		d->lat_tokens += (double)elapsed * d->lat_per_tsc;
		if (d->lat_tokens > 1.0)
			d->lat_tokens = 1.0;
	}
}

/* Build and hand n (<= TX_BURST_MAX) packets to the TX ring; returns how many were attempted (0: pool empty). */
static inline unsigned send_burst(struct gen *g, struct dir_state *d, unsigned n, const struct trial_params *tp,
				  uint32_t mix_len, enum phase ph, uint8_t tag)
{
	struct rte_mbuf *m[TX_BURST_MAX];
	unsigned sent;
	uint64_t tsc;
	if (rte_pktmbuf_alloc_bulk(g->pool, m, n) != 0)
		return 0; /* pool empty: tokens stay, next round tries again */
	build_burst(d, m, n, tp->flows, mix_len, tp->latency, tag);
	tsc = rte_rdtsc();
	for (unsigned i = 0; i < n; i++)
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *) + OFF_TSC, &tsc, 8);
	/* A port being reconnected (relink.c) takes nothing: the packets are lost, as on a wire that is down. */
	sent = g->ports[d->tx_idx].started ? rte_eth_tx_burst(d->tx_port_id, 0, m, (uint16_t)n) : 0;
	if (sent < n)
		rte_pktmbuf_free_bulk(&m[sent], n - sent); /* refused by the ring: lost, as on a wire */
	if (ph == PH_COUNT) {
		d->out->attempted += n;
		d->out->sent += sent;
		d->out->unsent += n - sent;
		if (bin_tsc)
			d->out->tl_attempted[bin_of(tsc)] += n;
	} else {
		d->out->warmup_attempted += n;
		d->out->warmup_unsent += n - sent;
	}
	return n;
}

static inline void tx_dir(struct gen *g, struct dir_state *d, uint64_t now, const struct trial_params *tp,
			  uint32_t mix_len, enum phase ph, uint8_t tag)
{
	unsigned n;
	refill(d, now, tp);
	if (d->tokens < 1.0)
		return;
	n = d->tokens >= TX_BURST_MAX ? TX_BURST_MAX : (unsigned)d->tokens;
	d->tokens -= send_burst(g, d, n, tp, mix_len, ph, tag);
}

/*
 * The window ends on schedule at t_end. The packets already due in the shallow bucket (at most depth_us of
 * them, normally the one or two of the last loop iteration) are sent now, in the window, as the bucket
 * would have a moment later; without this, every trial would read a packet or two short of its load.
 * What a stall pushed over the bucket and the payback could not make up is the generator's own
 * shortfall, reported as deficit, never sent late as a burst.
 */
static void finish_window(struct gen *g, struct dir_state *d, uint64_t t_end, const struct trial_params *tp,
			  uint32_t mix_len, uint8_t tag)
{
	refill(d, t_end, tp);
	while (d->tokens >= 1.0) {
		unsigned n = d->tokens >= TX_BURST_MAX ? TX_BURST_MAX : (unsigned)d->tokens;
		unsigned attempted = send_burst(g, d, n, tp, mix_len, PH_COUNT, tag);
		if (attempted == 0)
			break; /* pool empty: what is left is deficit */
		d->tokens -= attempted;
	}
	d->out->deficit = (uint64_t)floor(d->tokens + d->deficit);
}

static const char *wait_links(struct gen *g, double wait_ms)
{
	static char err[160];
	uint64_t deadline = rte_rdtsc() + (uint64_t)(wait_ms / 1e3 * (double)g->tsc_hz);
	for (;;) {
		int down = -1;
		/* Reads every link, and gets back the ones whose peer went away between trials. */
		relink_poll(g, rte_rdtsc());
		for (int i = 0; i < g->nports; i++) {
			if (!g->ports[i].link_up) {
				down = i;
				break;
			}
		}
		if (down < 0)
			return NULL;
		if (rte_rdtsc() > deadline) {
			snprintf(err, sizeof(err), "port %d (%s) link is down after %.0f ms: is its peer up and connected?",
				 down, g->ports[down].name, wait_ms);
			return err;
		}
		rte_delay_us_sleep(5000);
	}
}

void flush_rx(struct gen *g)
{
	struct rte_mbuf *m[RX_BURST];
	uint64_t until = rte_rdtsc() + g->tsc_hz / 20;
	while (rte_rdtsc() < until) {
		unsigned total = 0;
		for (int i = 0; i < g->nports; i++) {
			uint16_t n = g->ports[i].started ? rte_eth_rx_burst(g->ports[i].port_id, 0, m, RX_BURST) : 0;
			rte_pktmbuf_free_bulk(m, n);
			total += n;
		}
		if (total == 0)
			break;
	}
}

const char *trial_run(struct gen *g, const struct trial_params *tp, struct trial_result *res, poll_fn poll,
		      void *ctx)
{
	const char *err;
	int ndirs, mix_len;
	uint8_t tag;
	uint64_t t0, warm_end, t_end = UINT64_MAX, win_start = 0, win_end = 0, drain_start = 0, next_poll;
	uint64_t drain_max, quiet, prev_iter, loop_thr, next_relink;
	enum phase ph;
	struct timespec ts;
	int end_asked = 0, ended_early = 0;

	memset(res, 0, sizeof(*res));
	if (tp->timeline_ms > 0) {
		double bins = ceil(tp->duration_s * 1e3 / tp->timeline_ms);
		if (bins > TIMELINE_MAX_BINS)
			return "timeline_ms is too fine for the duration (more than 8192 bins per direction)";
		nbins = (uint32_t)bins;
		bin_tsc = (uint64_t)(tp->timeline_ms / 1e3 * (double)g->tsc_hz);
		if (bin_tsc == 0)
			return "timeline_ms is shorter than one TSC tick";
	} else {
		nbins = 0;
		bin_tsc = 0;
	}
	mix_len = mix_sequence(tp->weights, tp->nsizes, mix_seq, MAX_MIX_SLOTS);
	if (mix_len < 0)
		return "the size mix is invalid (weights must be positive, their sum at most 1024)";
	if (tp->bidirectional && g->nports < 2)
		return "bidirectional traffic needs two ports; this session has one";
	err = wait_links(g, tp->link_wait_ms);
	if (err)
		return err;
	flush_rx(g);

	ndirs = tp->bidirectional ? 2 : 1;
	tag = ++g->trial_tag;
	ns_per_tsc = 1e9 / (double)g->tsc_hz;
	stray_count = 0;
	res->ndirs = ndirs;
	res->mix_seq_len = (uint64_t)mix_len;
	res->timeline_bins = nbins;
	memset(&loop_hist, 0, sizeof(loop_hist));
	res->loop_gaps = &loop_hist;
	loop_thr = (uint64_t)(LOOP_GAP_THRESHOLD_NS / 1e9 * (double)g->tsc_hz);
	win_start_tsc = UINT64_MAX;
	t0 = rte_rdtsc();
	for (int i = 0; i < ndirs; i++) {
		struct dir_state *d = &dirs[i];
		memset(d, 0, sizeof(*d));
		memset(&hists[i], 0, sizeof(hists[i]));
		d->id = i;
		d->tx_idx = i == 0 ? 0 : 1;
		d->rx_idx = g->nports == 1 ? 0 : (i == 0 ? 1 : 0);
		d->tx_port_id = g->ports[d->tx_idx].port_id;
		d->rx_port_id = g->ports[d->rx_idx].port_id;
		d->pkts_per_tsc = tp->pps_per_dir / (double)g->tsc_hz;
		d->lat_per_tsc = tp->latency_pps_per_dir / (double)g->tsc_hz;
		d->depth = fmax(TX_BURST_MAX, tp->pps_per_dir * tp->depth_us / 1e6);
		d->catchup = tp->catchup;
		d->last_tsc = t0;
		d->first_counted = UINT64_MAX;
		d->out = &res->dirs[i];
		d->out->lat = &hists[i];
		d->out->tl_attempted = tl_attempted[i];
		d->out->tl_received = tl_received[i];
		if (nbins) {
			memset(tl_attempted[i], 0, nbins * sizeof(uint64_t));
			memset(tl_received[i], 0, nbins * sizeof(uint64_t));
		}
		d->out->tx_port = d->tx_idx;
		d->out->rx_port = d->rx_idx;
		snprintf(d->out->name, sizeof(d->out->name), "p%d->p%d", d->tx_idx, d->rx_idx);
		build_templates(g, d, tp);
	}

	warm_end = t0 + (uint64_t)(tp->warmup_s * (double)g->tsc_hz);
	drain_max = (uint64_t)(tp->drain_ms / 1e3 * (double)g->tsc_hz);
	quiet = (uint64_t)(tp->quiet_ms / 1e3 * (double)g->tsc_hz);
	next_poll = t0 + g->tsc_hz / 1000;
	next_relink = t0;
	ph = PH_WARMUP;
	prev_iter = t0;
	for (;;) {
		uint64_t now = rte_rdtsc();
		/*
		 * The host-stall probe: this loop never sleeps, so a long gap between two iterations is time the
		 * vCPU (or the thread) was taken away. No extra poller: the measurement's own loop is the probe.
		 */
		if (now - prev_iter >= loop_thr)
			hist_add(&loop_hist, (uint64_t)((double)(now - prev_iter) * ns_per_tsc));
		prev_iter = now;
		res->loop_iterations++;
		if (ph == PH_WARMUP && now >= warm_end) {
			ph = PH_COUNT;
			win_start = now;
			win_start_tsc = now;
			t_end = win_start + (uint64_t)(tp->duration_s * (double)g->tsc_hz);
			clock_gettime(CLOCK_REALTIME, &ts);
			res->window_start_unix_us = (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000u;
			for (int i = 0; i < ndirs; i++) {
				/* The window starts empty: warm-up tokens and shortfalls are not its to send or repay. */
				refill(&dirs[i], now, tp);
				dirs[i].tokens = 0;
				dirs[i].deficit = 0;
				dirs[i].first_counted = dirs[i].seq;
			}
		}
		if (end_asked && ph == PH_COUNT && now < t_end) {
			/* Asked to close the window: it ends here, as if the trial had been asked for this long. */
			t_end = now;
			ended_early = 1;
		}
		if (ph == PH_COUNT && now >= t_end) {
			ph = PH_DRAIN;
			win_end = t_end;
			res->overrun_s = (double)(now - t_end) / (double)g->tsc_hz;
			for (int i = 0; i < ndirs; i++)
				finish_window(g, &dirs[i], t_end, tp, (uint32_t)mix_len, tag);
			/*
			 * From this iteration's `now`, not a fresh rte_rdtsc(): the checks below subtract from `now`,
			 * and a later stamp would wrap the unsigned difference and end the drain at once.
			 */
			drain_start = now;
			last_counted_rx_tsc = now;
		}
		if (ph == PH_DRAIN) {
			uint64_t missing = 0;
			for (int i = 0; i < ndirs; i++) {
				const struct dir_result *o = &res->dirs[i];
				if (o->sent > o->received)
					missing += o->sent - o->received;
			}
			if (missing == 0 || now - drain_start >= drain_max ||
			    (now > last_counted_rx_tsc && now - last_counted_rx_tsc >= quiet))
				break;
		} else {
			for (int i = 0; i < ndirs; i++)
				tx_dir(g, &dirs[i], now, tp, (uint32_t)mix_len, ph, tag);
		}
		for (int p = 0; p < g->nports; p++)
			rx_port(g, p, ndirs, ph, tag);
		if (now >= next_relink) {
			/* A peer restarted under load (a failover event): its port reconnects within the trial. */
			next_relink = now + RELINK_POLL_MS * (g->tsc_hz / 1000);
			relink_poll(g, now);
		}
		if (now >= next_poll) {
			next_poll = now + g->tsc_hz / 1000;
			int asked = poll(ctx);
			if (asked == POLL_END) {
				end_asked = 1; /* taken at the top of the next iteration (or when the window opens) */
			} else if (asked != POLL_GO) {
				res->aborted = 1;
				if (ph != PH_DRAIN) {
					win_end = now;
					for (int i = 0; i < ndirs; i++)
						res->dirs[i].deficit = (uint64_t)(dirs[i].tokens + dirs[i].deficit);
				}
				break;
			}
		}
	}
	if (win_start == 0)
		win_start = win_end = rte_rdtsc(); /* aborted during warm-up: an empty window */
	if (ended_early && nbins && !res->aborted) {
		/* Only the bins the shortened window reached (the one holding t_end included). */
		uint64_t used = (win_end - win_start) / bin_tsc + 1;
		res->timeline_bins = used < nbins ? (uint32_t)used : nbins;
	}
	res->actual_s = (double)(win_end - win_start) / (double)g->tsc_hz;
	res->drain_s = drain_start ? (double)(rte_rdtsc() - drain_start) / (double)g->tsc_hz : 0;
	res->loop_span_s = (double)(prev_iter - t0) / (double)g->tsc_hz;
	res->stray = stray_count;
	return NULL;
}
