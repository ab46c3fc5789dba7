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
	/* TODO(stage 5): with --net (cfg->net.enabled), from the host's side: */
	/*  1. open a NETLINK_ROUTE socket (nl_open(), ../core/nl.h); */
	/*  2. refuse cfg->net.host_addr if a host interface has it already */
	/*     (rtnl_addr_alloc_cache, then walk the cache); */
	/*  3. create a veth pair: rtnl_link_veth_alloc, name the host end (at most */
	/*     15 characters, unique: derive it from `name`), name its peer "eth0" */
	/*     (rtnl_link_veth_get_peer) and put it in pid's namespace */
	/*     (rtnl_link_set_ns_pid), then rtnl_link_add(NLM_F_CREATE | NLM_F_EXCL); */
	/*     write the host end's name into st->host_if BEFORE rtnl_link_add and */
	/*     clear it if that fails: net_teardown() (and the cleanup guard, if the */
	/*     runtime is SIGKILLed right after the pair appeared) deletes that one; */
	/*  4. bring the host end up (rtnl_link_get_kernel, rtnl_link_change with */
	/*     IFF_UP) and give it host_addr/prefix (rtnl_addr_alloc, _set_ifindex, */
	/*     _set_local with ipv4_addr(), rtnl_addr_add). */
	/* Check every return value; free every libnl object. man 4 veth, man 7 rtnetlink. */
	(void)st;
	(void)cfg;
	(void)pid;
	(void)name;
	return 0;
}

int net_setup_container(const struct config *cfg)
{
	/* TODO(stage 5): in the child, inside the new namespace, with a socket */
	/* opened here (nl_open()): bring "lo" up; with --net, bring "eth0" up, give it */
	/* cfg->net.addr/prefix, and add a default route via cfg->net.host_addr */
	/* (rtnl_route_alloc, rtnl_route_nh_alloc, _nh_set_gateway, _nh_set_ifindex, */
	/* rtnl_route_add). man 8 ip-route says what each part means. */
	(void)cfg;
	return 0;
}

int net_teardown(struct net_state *st)
{
	/* TODO(stage 5): delete the host end st->host_if if it is still there */
	/* (rtnl_link_delete; "no such device" is fine: the kernel may have been */
	/* quicker), then clear st->host_if so a second call does nothing. */
	(void)st;
	return 0;
}
