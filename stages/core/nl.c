/*
 * nl.c — rtnetlink plumbing for stage 5 (see nl.h).
 *
 * Error contract: as nl.h says; nothing here prints.
 */
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/socket.h>

#include "container.h"

int nl_kernel_errno;

/* Called by libnl for every NLMSG_ERROR on a socket from nl_open(). */
static int record_kernel_errno(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	(void)who;
	(void)arg;
	nl_kernel_errno = -e->error;
	return NL_STOP; /* libnl still returns its own (negative) code to the caller */
}

int nl_fail(int err, const char *hint, const char *what, const char *object)
{
	int e = nl_kernel_errno;

	nl_kernel_errno = 0;
	if (hint == NULL && (e == EPERM || err == -NLE_PERM))
		hint =
		    "changing network devices needs CAP_NET_ADMIN in their namespace: run as root";
	if (e != 0)
		return fail(e, hint, "%s %s", what, object);
	return fail(0, hint, "%s %s: %s", what, object, nl_geterror(err));
}

struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (sk == NULL) {
		fail(ENOMEM, NULL, "nl_socket_alloc");
		return NULL;
	}
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, record_kernel_errno, NULL);
	nl_kernel_errno = 0;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_fail(err, NULL, "connecting to", "rtnetlink");
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

struct nl_addr *ipv4_addr(uint32_t addr, unsigned int prefix)
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

const char *ipv4_str(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = {.s_addr = htonl(addr)};

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}
