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
 * route}.h and link/veth.h.
 *
 * Error contract: every function returns -1 after fail() has recorded one message that names
 * the netlink request and the kernel's reason (strerror of its errno); see container.h. Every
 * libnl object and socket is freed on every path.
 */
#define _GNU_SOURCE
#include "container.h"

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

/*
 * ---- given helpers (the starter has them too) ----
 * They are `static inline` only so that the starter, which does not call them yet, still
 * compiles with -Werror (no "defined but not used").
 */

/* errno of the last NLMSG_ERROR the kernel sent us (0: none since the last nl_fail()). */
static int kernel_errno;

/*
 * libnl folds the kernel's errno into its own, coarser codes (ENETUNREACH becomes "Unspecific
 * failure"); keep the real one, as crun's netlink code does, so that messages read like ip(8)'s.
 */
static inline int record_kernel_errno(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	(void)who;
	(void)arg;
	kernel_errno = -e->error;
	return NL_STOP; /* libnl still returns its own (negative) code to the caller */
}

/*
 * Record a failed libnl call: `err` is what it returned (a negative NLE_* code). Prefers the
 * kernel's errno, which strerror() explains; else libnl's own text (nl_geterror).
 */
static inline int nl_fail(int err, const char *hint, const char *what, const char *object)
{
	int e = kernel_errno;

	kernel_errno = 0;
	if (hint == NULL && (e == EPERM || err == -NLE_PERM))
		hint =
		    "changing network devices needs CAP_NET_ADMIN in their namespace: run as root";
	if (e != 0)
		return fail(e, hint, "%s %s", what, object);
	return fail(0, hint, "%s %s: %s", what, object, nl_geterror(err));
}

/*
 * A NETLINK_ROUTE socket. A socket belongs to the network namespace of the process that created
 * it, for its whole life: it talks to that namespace's devices, whatever namespace the process
 * moves to later. So the parent and the child each open their own.
 */
static inline struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (sk == NULL) {
		fail(ENOMEM, NULL, "nl_socket_alloc");
		return NULL;
	}
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, record_kernel_errno, NULL);
	kernel_errno = 0;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_fail(err, NULL, "connecting to", "rtnetlink");
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* An IPv4 address for libnl: addr in host byte order, with a prefix length. NULL: no memory. */
static inline struct nl_addr *ipv4_addr(uint32_t addr, unsigned int prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a == NULL) {
		fail(ENOMEM, NULL, "nl_addr_build");
		return NULL;
	}
	nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

/* "10.200.7.1" for a host-order address, written into buf, for messages. */
static inline const char *ipv4_str(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = {.s_addr = htonl(addr)};

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* ---- the module's interface (container.h) ---- */

unsigned long net_clone_flags(void)
{
	/* TODO(stage 5): the namespace this stage is about (man 7 network_namespaces). */
	return 0;
}

int net_setup_host(struct net_state *st, const struct config *cfg, pid_t pid, const char *name)
{
	/* TODO(stage 5): with --net (cfg->net.enabled), from the host's side: */
	/*  1. open a NETLINK_ROUTE socket (nl_open() above does it); */
	/*  2. refuse cfg->net.host_addr if a host interface has it already */
	/*     (rtnl_addr_alloc_cache, then walk the cache); */
	/*  3. create a veth pair: rtnl_link_veth_alloc, name the host end (at most */
	/*     15 characters, unique: derive it from `name`), name its peer "eth0" */
	/*     (rtnl_link_veth_get_peer) and put it in pid's namespace */
	/*     (rtnl_link_set_ns_pid), then rtnl_link_add(NLM_F_CREATE | NLM_F_EXCL); */
	/*     remember the host end's name in st->host_if for net_teardown(); */
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
