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

//@@ BEGIN SOLUTION
/* ---- the steps, each one rtnetlink request ---- */

/*
 * The host end's name: unique on the host while this runtime lives ("vc" + the random part of
 * the container's name "container-XXXXXXXX"), and at most IFNAMSIZ - 1 = 15 characters: a longer
 * one would be cut silently, and two cut names could collide.
 */
static int host_if_name(char *buf, size_t size, const char *name)
{
	const char *dash = strrchr(name, '-');
	int n = snprintf(buf, size, "vc%s", dash != NULL ? dash + 1 : name);

	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return fail(ENAMETOOLONG, NULL, "veth name for %s", name);
	}
	return 0;
}

/*
 * Refuse the subnet if an interface of this namespace already has the host end's address (or
 * the container's): a second interface with the same address would steal or confuse the other's
 * traffic. One RTM_GETADDR dump, walked as a libnl cache.
 */
static int check_addresses_free(struct nl_sock *sk, const struct net_config *net)
{
	const uint32_t wanted[] = {net->host_addr, net->addr};
	struct nl_cache *cache;
	struct nl_object *obj;
	char ifname[IF_NAMESIZE] = "?", buf[INET_ADDRSTRLEN];
	int err = rtnl_addr_alloc_cache(sk, &cache);

	if (err < 0)
		return nl_fail(err, NULL, "listing", "the host's addresses");
	for (obj = nl_cache_get_first(cache); obj != NULL; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (rtnl_addr_get_family(a) != AF_INET || local == NULL ||
		    nl_addr_get_len(local) != sizeof(uint32_t))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(wanted); i++) {
			uint32_t be = htonl(wanted[i]);

			if (memcmp(nl_addr_get_binary_addr(local), &be, sizeof(be)) != 0)
				continue;
			if_indextoname((unsigned int)rtnl_addr_get_ifindex(a), ifname);
			nl_cache_free(cache);
			return fail(0, "pick a subnet that no host interface uses",
				    "--net: %s is already in use on the host (on %s)",
				    ipv4_str(wanted[i], buf), ifname);
		}
	}
	nl_cache_free(cache);
	return 0;
}

/*
 * RTM_NEWLINK, IFLA_IFNAME name, IFLA_LINKINFO { IFLA_INFO_KIND "veth", IFLA_INFO_DATA {
 * VETH_INFO_PEER { ifinfomsg, IFLA_IFNAME "eth0", IFLA_NET_NS_PID pid } } }: both ends are
 * created at once, the peer straight in the namespace of pid. It is never visible on the host
 * side, so its name "eth0" cannot clash with the host's own eth0.
 */
static int veth_create(struct nl_sock *sk, const char *name, pid_t pid)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	int err;

	if (link == NULL)
		return fail(ENOMEM, NULL, "rtnl_link_veth_alloc");
	rtnl_link_set_name(link, name);
	/* libnl >= 3.2.28 takes a reference for the caller; put it back below. */
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, CONTAINER_IF);
	rtnl_link_set_ns_pid(peer, pid);
	/*
	 * One queue each way, asked for: without IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES the kernel
	 * gives each end one queue per CPU and then cuts them down to one, and each cut waits for
	 * an RCU grace period (synchronize_net() in netif_set_real_num_tx_queues).
	 */
	rtnl_link_set_num_tx_queues(link, 1);
	rtnl_link_set_num_rx_queues(link, 1);
	rtnl_link_set_num_tx_queues(peer, 1);
	rtnl_link_set_num_rx_queues(peer, 1);
	/* EXCL: fail rather than "update" a device of the same name that already exists. */
	err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_put(link);
	if (err < 0)
		return nl_fail(
		    err, err == -NLE_EXIST ? "a leftover of an earlier run? see ip -o link" : NULL,
		    "creating the veth pair", name);
	return 0;
}

/* RTM_NEWLINK (or SETLINK) with IFF_UP in ifi_flags and ifi_change. Returns the ifindex. */
static int link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link, *change;
	int err, ifindex;

	/* RTM_GETLINK by name: the kernel's view of the device, ifindex included. */
	err = rtnl_link_get_kernel(sk, 0, name, &link);
	if (err < 0)
		return nl_fail(err, NULL, "looking up", name);
	change = rtnl_link_alloc();
	if (change == NULL) {
		rtnl_link_put(link);
		return fail(ENOMEM, NULL, "rtnl_link_alloc");
	}
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sk, link, change, 0);
	ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (err < 0)
		return nl_fail(err, NULL, "bringing up", name);
	return ifindex;
}

/* RTM_NEWADDR: ifaddrmsg { AF_INET, prefix, ifindex }, IFA_LOCAL + IFA_ADDRESS. */
static int addr_add(struct nl_sock *sk, int ifindex, const char *ifname, uint32_t addr,
		    unsigned int prefix)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local;
	int err;

	if (a == NULL)
		return fail(ENOMEM, NULL, "rtnl_addr_alloc");
	local = ipv4_addr(addr, prefix);
	if (local == NULL) {
		rtnl_addr_put(a);
		return -1;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	/* Takes its own reference, and the prefix length with it. */
	err = rtnl_addr_set_local(a, local);
	nl_addr_put(local);
	if (err == 0)
		err = rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_addr_put(a);
	if (err < 0)
		return nl_fail(err, NULL, "adding an address to", ifname);
	return 0;
}

/*
 * RTM_NEWROUTE: rtmsg { AF_INET, dst_len 0, table main, scope universe }, RTA_DST 0.0.0.0,
 * RTA_GATEWAY gw, RTA_OIF ifindex. The kernel accepts a gateway only if it is reachable through
 * a route that is already there: the subnet's route, which appeared with eth0's address and up.
 */
static int default_route_add(struct nl_sock *sk, int ifindex, uint32_t gw)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ipv4_addr(0, 0), *via = ipv4_addr(gw, 32);
	int err = -NLE_NOMEM;

	nl_kernel_errno = 0;
	if (route != NULL && nh != NULL && dst != NULL && via != NULL) {
		rtnl_route_set_family(route, AF_INET);
		rtnl_route_set_table(route, RT_TABLE_MAIN);
		rtnl_route_set_scope(route, RT_SCOPE_UNIVERSE);
		err = rtnl_route_set_dst(route, dst);
	}
	if (err == 0) {
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(route, nh); /* the route owns nh from here on */
		nh = NULL;
		err = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
	}
	if (nh != NULL)
		rtnl_route_nh_free(nh);
	if (route != NULL)
		rtnl_route_put(route);
	nl_addr_put(dst); /* NULL-safe */
	nl_addr_put(via);
	if (err < 0)
		return nl_fail(err,
			       nl_kernel_errno == ENETUNREACH
				   ? "is eth0 up, with its address, before the route is added?"
				   : NULL,
			       "adding the default route via", CONTAINER_IF);
	return 0;
}
//@@ END SOLUTION

/* ---- the module's interface (container.h) ---- */

unsigned long net_clone_flags(void)
{
	//@@ BEGIN SOLUTION
	/* Devices, addresses, routes, sockets, firewall: all new, with only a down lo inside. */
	return CLONE_NEWNET;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 5): the namespace this stage is about (man 7 network_namespaces). */
	//@@ STARTER(guided) /* TODO(stage 5): return CLONE_NEWNET (man 7 network_namespaces). */
	//@@ STARTER return 0;
}

int net_setup_host(struct net_state *st, const struct config *cfg, pid_t pid, const char *name)
{
	//@@ BEGIN SOLUTION
	const struct net_config *net = &cfg->net;
	char ifname[sizeof(st->host_if)];
	struct nl_sock *sk;
	int ifindex;

	st->host_if[0] = '\0';
	if (!net->enabled)
		return 0;
	if (host_if_name(ifname, sizeof(ifname), name) < 0)
		return -1;
	/* This socket is in the runtime's (the host's) namespace: it sees the host's devices. */
	sk = nl_open();
	if (sk == NULL)
		return -1;
	if (check_addresses_free(sk, net) < 0)
		goto fail;
	/*
	 * Named before it is made: teardown deletes the pair from here on (deleting one end deletes
	 * both) — also the cleanup guard's, if the runtime is SIGKILLed right after the request,
	 * before the next line could record it. A failed request made nothing: then it is
	 * forgotten again. The child exists (clone returned), so its namespace does: the peer can
	 * go there now.
	 */
	memcpy(st->host_if, ifname, sizeof(st->host_if));
	if (veth_create(sk, ifname, pid) < 0) {
		st->host_if[0] = '\0';
		goto fail;
	}
	ifindex = link_up(sk, ifname);
	if (ifindex < 0 || addr_add(sk, ifindex, ifname, net->host_addr, net->prefix) < 0)
		goto fail;
	nl_socket_free(sk);
	return 0;
fail:
	nl_socket_free(sk);
	return -1;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 5): with --net (cfg->net.enabled), from the host's side: refuse */
	//@@ STARTER(standard,challenge) /* cfg->net.host_addr if a host interface has it already; create a veth pair */
	//@@ STARTER(standard,challenge) /* whose host end has a unique name of at most 15 characters (write it into */
	//@@ STARTER(standard,challenge) /* st->host_if BEFORE the pair exists, clear it if creating fails: net_teardown() */
	//@@ STARTER(standard,challenge) /* and the cleanup guard of a SIGKILLed runtime delete that one) and whose other */
	//@@ STARTER(standard,challenge) /* end is "eth0" in pid's network namespace; bring the host end up with */
	//@@ STARTER(standard,challenge) /* host_addr/prefix. Talk rtnetlink through libnl-route-3 (nl_open(), */
	//@@ STARTER(standard,challenge) /* ../core/nl.h); check every return, free every object. man 4 veth, man 7 */
	//@@ STARTER(standard,challenge) /* rtnetlink, man 8 ip-link. */
	//@@ STARTER(guided) /* TODO(stage 5): with --net (cfg->net.enabled), from the host's side: */
	//@@ STARTER(guided) /*  1. open a NETLINK_ROUTE socket (nl_open(), ../core/nl.h); */
	//@@ STARTER(guided) /*  2. refuse cfg->net.host_addr if a host interface has it already */
	//@@ STARTER(guided) /*     (rtnl_addr_alloc_cache, then walk the cache); */
	//@@ STARTER(guided) /*  3. create a veth pair: rtnl_link_veth_alloc, name the host end (at most */
	//@@ STARTER(guided) /*     15 characters, unique: derive it from `name`), name its peer "eth0" */
	//@@ STARTER(guided) /*     (rtnl_link_veth_get_peer) and put it in pid's namespace */
	//@@ STARTER(guided) /*     (rtnl_link_set_ns_pid), then rtnl_link_add(NLM_F_CREATE | NLM_F_EXCL); */
	//@@ STARTER(guided) /*     write the host end's name into st->host_if BEFORE rtnl_link_add and */
	//@@ STARTER(guided) /*     clear it if that fails: net_teardown() (and the cleanup guard, if the */
	//@@ STARTER(guided) /*     runtime is SIGKILLed right after the pair appeared) deletes that one; */
	//@@ STARTER(guided) /*  4. bring the host end up (rtnl_link_get_kernel, rtnl_link_change with */
	//@@ STARTER(guided) /*     IFF_UP) and give it host_addr/prefix (rtnl_addr_alloc, _set_ifindex, */
	//@@ STARTER(guided) /*     _set_local with ipv4_addr(), rtnl_addr_add). */
	//@@ STARTER(guided) /* Check every return value; free every libnl object. man 4 veth, man 7 rtnetlink. */
	//@@ STARTER (void)st;
	//@@ STARTER (void)cfg;
	//@@ STARTER (void)pid;
	//@@ STARTER (void)name;
	//@@ STARTER return 0;
}

int net_setup_container(const struct config *cfg)
{
	//@@ BEGIN SOLUTION
	const struct net_config *net = &cfg->net;
	struct nl_sock *sk;
	int ifindex;

	/* Opened here, in the child, so it belongs to the container's namespace (see nl_open). */
	sk = nl_open();
	if (sk == NULL)
		return -1;
	/* A new namespace's lo is down: even 127.0.0.1 is unreachable until it is up. */
	if (link_up(sk, "lo") < 0)
		goto fail;
	if (net->enabled) {
		/* Address and up first: the default route needs its gateway to be reachable. */
		ifindex = link_up(sk, CONTAINER_IF);
		if (ifindex < 0 ||
		    addr_add(sk, ifindex, CONTAINER_IF, net->addr, net->prefix) < 0 ||
		    default_route_add(sk, ifindex, net->host_addr) < 0)
			goto fail;
	}
	nl_socket_free(sk);
	return 0;
fail:
	nl_socket_free(sk);
	return -1;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 5): in the child, inside the new namespace, with a socket */
	//@@ STARTER(standard,challenge) /* opened here: lo up; with --net, eth0 up with cfg->net.addr/prefix and a */
	//@@ STARTER(standard,challenge) /* default route via cfg->net.host_addr. man 7 rtnetlink, man 8 ip-route. */
	//@@ STARTER(guided) /* TODO(stage 5): in the child, inside the new namespace, with a socket */
	//@@ STARTER(guided) /* opened here (nl_open()): bring "lo" up; with --net, bring "eth0" up, give it */
	//@@ STARTER(guided) /* cfg->net.addr/prefix, and add a default route via cfg->net.host_addr */
	//@@ STARTER(guided) /* (rtnl_route_alloc, rtnl_route_nh_alloc, _nh_set_gateway, _nh_set_ifindex, */
	//@@ STARTER(guided) /* rtnl_route_add). man 8 ip-route says what each part means. */
	//@@ STARTER (void)cfg;
	//@@ STARTER return 0;
}

int net_teardown(struct net_state *st)
{
	//@@ BEGIN SOLUTION
	struct rtnl_link *link;
	struct nl_sock *sk;
	int err;

	if (st->host_if[0] == '\0')
		return 0;
	/*
	 * When the container's last process exits, its namespace is destroyed and eth0 with it,
	 * which takes the host end along — but later, from a kernel workqueue (cleanup_net). Delete
	 * the host end now (RTM_DELLINK), so nothing is left when the runtime exits.
	 *
	 * This one request is most of what --net costs: the device is gone from the host after
	 * about a millisecond, but the kernel answers only after netdev_run_todo() has waited in
	 * rcu_barrier() for every RCU callback pending on any CPU — one or two normal grace periods
	 * (15-30 ms here), more right after a container's exit, which has just queued its own. Every
	 * way of making the host end go costs that wait in this process (moving it into the
	 * container's namespace too: dev_change_net_namespace() has an rcu_barrier() of its own),
	 * except leaving it to cleanup_net, which starts only once the namespace's last reference
	 * is dropped: the child's netlink socket holds one for a grace period after its close.
	 */
	sk = nl_open();
	if (sk == NULL)
		return -1;
	link = rtnl_link_alloc();
	if (link == NULL) {
		nl_socket_free(sk);
		return fail(ENOMEM, NULL, "rtnl_link_alloc");
	}
	rtnl_link_set_name(link, st->host_if);
	err = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	nl_socket_free(sk);
	if (err < 0 && nl_kernel_errno != ENODEV && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND) {
		nl_fail(err, NULL, "deleting", st->host_if);
		st->host_if[0] = '\0';
		return -1;
	}
	/* Gone already (the kernel was quicker): that is what we wanted. */
	nl_kernel_errno = 0;
	st->host_if[0] = '\0';
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 5): the host end st->host_if is gone afterwards (it may be gone */
	//@@ STARTER(standard,challenge) /* already: fine), and a second call does nothing. man 7 rtnetlink. */
	//@@ STARTER(guided) /* TODO(stage 5): delete the host end st->host_if if it is still there */
	//@@ STARTER(guided) /* (rtnl_link_delete; "no such device" is fine: the kernel may have been */
	//@@ STARTER(guided) /* quicker), then clear st->host_if so a second call does nothing. */
	//@@ STARTER (void)st;
	//@@ STARTER return 0;
}
