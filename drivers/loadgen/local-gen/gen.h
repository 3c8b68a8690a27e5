/*
 * wsp-gen: wirespeed's local traffic generator. One polling lcore paces IPv4/UDP frames onto one or two
 * ports with a TSC token bucket and counts what comes back: loss, reordering, duplicates, latency.
 */
#ifndef WSP_GEN_H
#define WSP_GEN_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "hist.h"

#define GEN_VERSION "wsp-gen/1"
#define MAX_PORTS 2
#define MAX_DIRS 2
#define MAX_SIZES 8
#define MAX_MIX_SLOTS 1024
#define MAX_FLOWS 65536
#define TX_BURST_MAX 32
#define RX_BURST 64
/* Duplicate detection remembers this many sequence numbers below the highest seen. */
#define SEQ_WINDOW (1u << 16)
/* Timeline: at most this many bins per direction (e.g. 20 s at 5 ms). */
#define TIMELINE_MAX_BINS 8192
/* Loop gaps at least this long go into the stall histogram (a normal iteration takes < 5 us). */
#define LOOP_GAP_THRESHOLD_NS 10000

/* Packet format: Ethernet / IPv4 / UDP to WSP_UDP_DST_PORT, then an 18-byte stamp (host byte order). */
#define WSP_UDP_DST_PORT 6100
#define WSP_MAGIC 0x5753 /* "WS" */
#define HDR_LEN 42       /* 14 + 20 + 8 */
#define STAMP_LEN 18
#define OFF_MAGIC (HDR_LEN + 0)  /* u16 */
#define OFF_DIR (HDR_LEN + 2)    /* u8: direction id, bit 7 = latency sample */
#define OFF_TAG (HDR_LEN + 3)    /* u8: trial tag (low 8 bits of the trial number) */
#define OFF_SEQ_LO (HDR_LEN + 4) /* u32 */
#define OFF_TSC (HDR_LEN + 8)    /* u64: TSC when handed to the TX ring */
#define OFF_SEQ_HI (HDR_LEN + 16) /* u16: bits 32..47 of the sequence number */
#define DIR_LATENCY_FLAG 0x80
#define MIN_FRAME 64
#define MAX_FRAME 1518
#define FCS_LEN 4

/*
 * How a port whose peer went away (a restarted DUT or vswitch) gets its link back: a memif client connects
 * only when its port starts, and a virtio_user server kicks its receive ring only when the port starts, so
 * both need a stop and start of the port (relink.c). Other ports are left alone.
 */
enum relink_kind {
	RELINK_NONE = 0,
	RELINK_RECONNECT, /* memif client: stop/start (= connect) while the link is down, with backoff */
	RELINK_KICK,      /* virtio_user server: stop/start (= kick the rings) once the peer is back */
};

struct port_info {
	uint16_t port_id;
	struct rte_ether_addr mac;
	struct rte_ether_addr dst_mac;
	char name[64];
	char driver[64];
	/* relinking (relink.c) */
	enum relink_kind relink;
	int started;           /* rte_eth_dev_start succeeded: a stopped port gets no bursts (DPDK logs a stack dump) */
	int was_up;            /* the link has been up since the session started: a later down is a lost peer */
	int link_up;           /* as last seen */
	int kick_pending;      /* RELINK_KICK: the peer went away; stop/start once it is back */
	uint64_t next_try_tsc; /* RELINK_RECONNECT: earliest next attempt */
	uint64_t backoff_tsc;
	uint64_t relinks;      /* stop/starts done to get the link back */
};

struct gen {
	struct port_info ports[MAX_PORTS];
	int nports;
	struct rte_mempool *pool;
	uint64_t tsc_hz;
	uint8_t trial_tag;
	unsigned lcore_id;
	int cpu;
};

enum latency_mode { LAT_NONE = 0, LAT_ALL = 1, LAT_SAMPLE = 2 };

struct trial_params {
	double pps_per_dir;
	double duration_s;
	double warmup_s;
	int sizes[MAX_SIZES];
	int weights[MAX_SIZES];
	int nsizes;
	uint32_t flows;
	int bidirectional;
	enum latency_mode latency;
	double latency_pps_per_dir;
	double drain_ms;   /* longest wait for in-flight packets after the window */
	double quiet_ms;   /* ... or stop draining once nothing arrived for this long */
	double depth_us;   /* token bucket depth */
	double catchup;    /* pay back a stall's lost tokens at this fraction of the rate on top */
	double link_wait_ms;
	double timeline_ms; /* 0: none; else contiguous bins of this length over the window */
};

/*
 * The longest run of sequence numbers missing between two packets received in order: an outage seen by
 * one direction. Times are seconds from the window start (TX: the packet's stamp; RX: when it arrived).
 */
struct gap {
	uint64_t packets; /* 0: no gap */
	uint64_t before_seq, after_seq;
	double before_tx_s, after_tx_s, before_rx_s, after_rx_s;
};

struct dir_result {
	char name[16];
	int tx_port, rx_port;
	uint64_t attempted, sent, unsent, received, reordered, duplicated;
	uint64_t warmup_attempted, warmup_unsent;
	uint64_t deficit; /* packets due in the window that the generator could not attempt (its own shortfall) */
	struct hist *lat;
	struct gap gap;
	/* Timeline bins (when asked): attempted by send time, received by the TX stamp's bin. */
	uint64_t *tl_attempted, *tl_received;
};

struct trial_result {
	int ndirs;
	struct dir_result dirs[MAX_DIRS];
	double actual_s;
	double drain_s;
	double overrun_s; /* how late the lcore noticed the window's end (a stall) */
	uint64_t window_start_unix_us;
	uint64_t stray;
	int aborted;
	uint64_t mix_seq_len;
	uint32_t timeline_bins;
	/* Host-stall probe: gaps between iterations of the polling loop over the whole trial. */
	uint64_t loop_iterations;
	double loop_span_s;
	struct hist *loop_gaps;
};

/*
 * Called about once per ms during a trial (control input, signal). Returns POLL_GO to carry on, POLL_ABORT
 * to stop at once (nothing measured), or POLL_END to close the counted window now and finish the trial as
 * if it had been that long (drain, counters, timeline up to now): a window held open until an event ends.
 */
enum { POLL_GO = 0, POLL_ABORT = 1, POLL_END = 2 };
typedef int (*poll_fn)(void *ctx);

/* Run one trial. Returns NULL, or an error message (static storage) with nothing measured. */
const char *trial_run(struct gen *g, const struct trial_params *tp, struct trial_result *res, poll_fn poll,
		      void *ctx);
/* Receive and drop whatever is queued on every port (up to 50 ms). */
void flush_rx(struct gen *g);
/* Whether the port is a memif client (it connects to its server in dev_start); its socket path into socket. */
int relink_memif_client(uint16_t port_id, char *socket, size_t n);
/* Decide each port's relink kind from its driver and device arguments (after the ports started). */
void relink_init(struct gen *g);
/* Look at every port's link and stop/start the ones whose peer went away (see enum relink_kind). */
void relink_poll(struct gen *g, uint64_t now);

#endif
