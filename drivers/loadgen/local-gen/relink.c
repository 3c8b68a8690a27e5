/*
 * Getting a link back after its peer went away. A DUT or vswitch restarted under load (the failover event)
 * comes back on the same socket, but DPDK 22.11's vdevs on our side do not all follow:
 * - net_memif as client connects only in dev_start (memif_connect_client): after the server restarts, its
 *   link stays down for good. Stopping and starting the port connects again; while the server is not
 *   there yet the connect fails at once, so it is retried with a short backoff.
 * - net_virtio_user as server accepts the restarted vhost-user client by itself (on a link status read),
 *   but kicks its rings only in dev_start and when it refills them. The kick eventfds outlive the
 *   connection and the old client drained them, so a backend that waits for the first kick before it
 *   calls a queue started (VPP) never forwards again. One stop and start once the peer is back kicks them.
 * Ports whose link was never up are not touched: the first connection is the session's, not a lost peer's.
 * Called by the polling lcore only (the trial loop and the wait for links), never concurrently with a burst.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>

#include "gen.h"

/* memif reconnect attempts: the first at once, then doubling from this, up to the cap (ms). */
#define RELINK_BACKOFF_FIRST_MS 50
#define RELINK_BACKOFF_CAP_MS 500

/* The value of `key` in the port's device arguments, or NULL. Copies into out. */
static const char *devarg(uint16_t port_id, const char *key, char *out, size_t n)
{
	struct rte_eth_dev_info info;
	const struct rte_devargs *da;
	struct rte_kvargs *kv;
	const char *v;
	if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.device)
		return NULL;
	da = rte_dev_devargs(info.device);
	if (!da || !da->args || !da->args[0])
		return NULL;
	kv = rte_kvargs_parse(da->args, NULL);
	if (!kv)
		return NULL;
	v = rte_kvargs_get(kv, key);
	if (v)
		snprintf(out, n, "%s", v);
	rte_kvargs_free(kv);
	return v ? out : NULL;
}

int relink_memif_client(uint16_t port_id, char *socket, size_t n)
{
	struct rte_eth_dev_info info;
	char v[32];
	const char *role;
	if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.driver_name || strcmp(info.driver_name, "net_memif") != 0)
		return 0;
	role = devarg(port_id, "role", v, sizeof(v));
	if (!role || (strcmp(role, "client") != 0 && strcmp(role, "slave") != 0))
		return 0;
	if (!devarg(port_id, "socket", socket, n))
		snprintf(socket, n, "/run/memif.sock"); /* the PMD's default */
	return 1;
}

void relink_init(struct gen *g)
{
	for (int i = 0; i < g->nports; i++) {
		struct port_info *p = &g->ports[i];
		char v[32];
		p->relink = RELINK_NONE;
		/* memif's role defaults to server; virtio_user's server mode to off. */
		if (strcmp(p->driver, "net_memif") == 0) {
			const char *role = devarg(p->port_id, "role", v, sizeof(v));
			if (role && (strcmp(role, "client") == 0 || strcmp(role, "slave") == 0))
				p->relink = RELINK_RECONNECT;
		} else if (strcmp(p->driver, "net_virtio_user") == 0) {
			const char *server = devarg(p->port_id, "server", v, sizeof(v));
			if (server && strcmp(server, "1") == 0)
				p->relink = RELINK_KICK;
		}
	}
}

static void restart_port(struct port_info *p)
{
	int r;
	if (p->started)
		rte_eth_dev_stop(p->port_id);
	r = rte_eth_dev_start(p->port_id);
	p->started = r == 0;
	p->relinks++;
	/* A memif client whose server is not listening yet fails here; the next attempt retries. */
	if (r != 0 && p->relink != RELINK_RECONNECT)
		fprintf(stderr, "wsp-gen: port %s: restart after a lost peer failed: %s\n", p->name, rte_strerror(-r));
}

void relink_poll(struct gen *g, uint64_t now)
{
	uint64_t ms = g->tsc_hz / 1000;
	for (int i = 0; i < g->nports; i++) {
		struct port_info *p = &g->ports[i];
		struct rte_eth_link link;
		int up = rte_eth_link_get_nowait(p->port_id, &link) == 0 && link.link_status;
		int was = p->link_up;
		p->link_up = up;
		if (up) {
			if (p->relink == RELINK_KICK && p->kick_pending) {
				p->kick_pending = 0;
				restart_port(p);
				/* The stop took the link down; it is up again at the next read (the peer is connected). */
			}
			p->was_up = 1;
			p->backoff_tsc = 0;
			continue;
		}
		if (!p->was_up || p->relink == RELINK_NONE)
			continue;
		if (p->relink == RELINK_KICK) {
			p->kick_pending = 1;
			continue;
		}
		/* RELINK_RECONNECT: the link went down (now), or an attempt did not bring it up (retry when due). */
		if (was) {
			p->next_try_tsc = now;
			p->backoff_tsc = RELINK_BACKOFF_FIRST_MS * ms;
		}
		if (now >= p->next_try_tsc) {
			restart_port(p);
			p->next_try_tsc = now + p->backoff_tsc;
			p->backoff_tsc *= 2;
			if (p->backoff_tsc > RELINK_BACKOFF_CAP_MS * ms)
				p->backoff_tsc = RELINK_BACKOFF_CAP_MS * ms;
		}
	}
}
