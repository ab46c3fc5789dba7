/*
 * Stage 5 — a network namespace of its own, and a veth pair configured over rtnetlink (libnl).
 *
 * A new network namespace (CLONE_NEWNET) holds one device, a loopback that is down, and its own
 * routes, sockets and firewall: the container cannot see or use a single host interface. With
 * --net the runtime connects it to the host with a veth pair — two Ethernet devices joined like
 * a pipe, one end on the host, the other ("eth0") created directly in the child's namespace —
 * gives both ends an address, brings them up and gives the container a default route through
 * the host end. Everything is said to the kernel in rtnetlink messages, through libnl-route-3,
 * the way ip(8) says it: no system("ip ...").
 *
 * Read: man 7 network_namespaces, man 4 veth, man 7 rtnetlink, man 7 netlink, man 8 ip-link,
 * man 8 ip-address, man 8 ip-route; libnl's API: /usr/include/libnl3/netlink/route/{link,addr,
 * route}.h and link/veth.h. The plumbing is given, in stages/core/nl.h: nl_open(), nl_fail(),
 * ipv4_addr(), ipv4_str().
 *
 * Error contract: every function returns -1 after fail() has recorded one message that names
 * the netlink request and the kernel's reason (strerror of its errno); see container.h. Every
 * libnl object and socket is freed on every path.
 */
#define _GNU_SOURCE
#include "container.h"
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#define CONTAINER_IF "eth0"

/* ---- the module's interface (container.h) ---- */

unsigned long net_clone_flags(void)
{
	/* TODO(stage 5): the namespace this stage is about (man 7 network_namespaces). */
	return 0;
}

int net_setup_host(struct net_state *st, const struct config *cfg, pid_t pid, const char *name)
{
	/* TODO(stage 5): with --net (cfg->net.enabled), from the host's side: refuse */
	/* cfg->net.host_addr if a host interface has it already; create a veth pair */
	/* whose host end has a unique name of at most 15 characters (write it into */
	/* st->host_if BEFORE the pair exists, clear it if creating fails: net_teardown() */
	/* and the cleanup guard of a SIGKILLed runtime delete that one) and whose other */
	/* end is "eth0" in pid's network namespace; bring the host end up with */
	/* host_addr/prefix. Talk rtnetlink through libnl-route-3 (nl_open(), */
	/* ../core/nl.h); check every return, free every object. man 4 veth, man 7 */
	/* rtnetlink, man 8 ip-link. */
	(void)st;
	(void)cfg;
	(void)pid;
	(void)name;
	return 0;
}

int net_setup_container(const struct config *cfg)
{
	/* TODO(stage 5): in the child, inside the new namespace, with a socket */
	/* opened here: lo up; with --net, eth0 up with cfg->net.addr/prefix and a */
	/* default route via cfg->net.host_addr. man 7 rtnetlink, man 8 ip-route. */
	(void)cfg;
	return 0;
}

int net_teardown(struct net_state *st)
{
	/* TODO(stage 5): the host end st->host_if is gone afterwards (it may be gone */
	/* already: fine), and a second call does nothing. man 7 rtnetlink. */
	(void)st;
	return 0;
}
