/*
 * nl.h — rtnetlink plumbing for stage 5 (given, not an exercise): a NETLINK_ROUTE socket whose
 * failures keep the kernel's own errno, and IPv4 addresses in libnl's form.
 *
 * Error contract: nl_open() and ipv4_addr() return NULL, and nl_fail() returns -1, after fail()
 * has recorded what failed and why (see container.h).
 */
#ifndef CONTAINER_NL_H
#define CONTAINER_NL_H

#include <netinet/in.h>
#include <stdint.h>

#include <netlink/netlink.h>

/*
 * errno of the last NLMSG_ERROR the kernel sent on a socket from nl_open() (0: none since the
 * last nl_open() or nl_fail()). libnl folds the kernel's errno into its own, coarser codes
 * (ENETUNREACH becomes "Unspecific failure"); this keeps the real one, as crun's netlink code
 * does, so that messages read like ip(8)'s.
 */
extern int nl_kernel_errno;

/*
 * A NETLINK_ROUTE socket. A socket belongs to the network namespace of the process that created
 * it, for its whole life: it talks to that namespace's devices, whatever namespace the process
 * moves to later. So the parent and the child each open their own. Free it: nl_socket_free().
 */
struct nl_sock *nl_open(void);

/*
 * Record a failed libnl call: err is what it returned (a negative NLE_* code); the message is
 * "WHAT OBJECT: reason", preferring the kernel's errno (strerror) to libnl's own text. Returns -1.
 */
int nl_fail(int err, const char *hint, const char *what, const char *object);

/* An IPv4 address for libnl: addr in host byte order, with a prefix length. Free: nl_addr_put. */
struct nl_addr *ipv4_addr(uint32_t addr, unsigned int prefix);

/* "10.200.7.1" for a host-order address, written into buf, for messages. */
const char *ipv4_str(uint32_t addr, char buf[INET_ADDRSTRLEN]);

#endif
