#!/usr/bin/env python3
"""vethfloor.py — the kernel's own cost of a veth pair: RTM_NEWLINK + RTM_DELLINK, timed in-process.

Called by tests/kit/bench/run inside its private network namespace, right after hyperfine. It
creates a veth pair (one queue each way, as the reference does) and deletes it again, RUNS times
after WARMUP untimed rounds, timing each request around its send and the kernel's answer: no
process start, no ip(8) parsing or cache, only what the kernel takes. Deleting a device waits
for a normal RCU grace period (netdev_run_todo -> rcu_barrier), so this is the floor of any
runtime that makes a veth pair and deletes it before it exits. `ip -batch` with the same two
requests, less an `ip` that asks for nothing, measures about the same plus ip's own work.

A second, separately labelled figure ("configured" in the JSON) measures the kernel's work for
the pair the contract asks for (stage 5): the peer created in another network namespace, both ends
up with an IPv4 address, a default route through the host end, then the same RTM_DELLINK. Its
delete waits for the same rcu_barrier, but for more callbacks (addresses, routes, neighbour and
multicast state of two live devices). The issue's ratio keeps the bare pair as its floor.

usage: vethfloor.py --runs N [--warmup N] --json FILE
"""
import argparse
import ctypes
import json
import os
import socket
import statistics
import struct
import sys
import time

RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_NEWROUTE, NLMSG_ERROR = 16, 17, 20, 24, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
IFLA_IFNAME, IFLA_LINKINFO, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES = 3, 18, 31, 32
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
IFLA_NET_NS_FD, IFA_ADDRESS, IFA_LOCAL, RTA_OIF, RTA_GATEWAY = 28, 1, 2, 4, 5
IFF_UP, CLONE_NEWNET = 0x1, 0x40000000
RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST = 254, 3, 0, 1
NAME, PEER = "vfloor0", "vfloor1"
# The configured pair: fixed ifindexes (asked for at creation, so no RTM_GETLINK is needed), the
# peer named as the container's, addresses from a subnet the bench uses nowhere else.
HOST_INDEX, PEER_INDEX, HOST_ADDR, PEER_ADDR, PREFIX = 1001, 1000, "10.251.0.1", "10.251.0.2", 24


def attr(kind, data):
    size = 4 + len(data)
    return struct.pack("HH", size, kind) + data + b"\0" * (-size % 4)


def ifinfomsg(index=0, flags=0, change=0):
    return struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, flags, change)


def one_queue_each_way():
    return attr(IFLA_NUM_TX_QUEUES, struct.pack("I", 1)) + attr(IFLA_NUM_RX_QUEUES, struct.pack("I", 1))


def ifname(name):
    return attr(IFLA_IFNAME, name.encode() + b"\0")


class Rtnl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.seq = 0

    def request(self, kind, flags, payload):
        """Send one request, wait for its ACK; raise OSError with the kernel's errno."""
        self.seq += 1
        self.sock.send(struct.pack("IHHII", 16 + len(payload), kind,
                                   flags | NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + payload)
        while True:
            data = self.sock.recv(65536)
            _, typ, _, seq, _ = struct.unpack("IHHII", data[:16])
            if typ == NLMSG_ERROR and seq == self.seq:
                err = struct.unpack("i", data[16:20])[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return

    def veth_add(self, index=0, peer=PEER, peer_index=0, peer_ns_fd=None):
        """The pair NAME/peer (ifindexes asked for, 0: the kernel's choice), the peer created
        straight in the namespace of peer_ns_fd if one is given."""
        peer_attrs = ifinfomsg(peer_index) + ifname(peer) + one_queue_each_way()
        if peer_ns_fd is not None:
            peer_attrs += attr(IFLA_NET_NS_FD, struct.pack("I", peer_ns_fd))
        info = attr(IFLA_INFO_KIND, b"veth") + attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peer_attrs))
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                     ifinfomsg(index) + ifname(NAME) + one_queue_each_way() + attr(IFLA_LINKINFO, info))

    def link_del(self):
        self.request(RTM_DELLINK, 0, ifinfomsg() + ifname(NAME))

    def link_up(self, index):
        self.request(RTM_NEWLINK, 0, ifinfomsg(index, IFF_UP, IFF_UP))

    def addr_add(self, index, addr):
        a = socket.inet_aton(addr)
        self.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                     struct.pack("BBBBI", socket.AF_INET, PREFIX, 0, 0, index) +
                     attr(IFA_LOCAL, a) + attr(IFA_ADDRESS, a))

    def default_route_add(self, index, gateway):
        self.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
                     struct.pack("BBBBBBBBI", socket.AF_INET, 0, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT,
                                 RT_SCOPE_UNIVERSE, RTN_UNICAST, 0) +
                     attr(RTA_GATEWAY, socket.inet_aton(gateway)) + attr(RTA_OIF, struct.pack("I", index)))


def peer_namespace():
    """A new network namespace for the peer and a socket in it; this process stays where it was.

    The socket keeps its namespace: it is created after unshare(2) and used after setns(2) back.
    Returns (fd of the namespace, Rtnl in it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
    ns = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    inside = Rtnl()
    if libc.setns(home, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    os.close(home)
    return ns, inside


def summary(adds, dels):
    both = [x + y for x, y in zip(adds, dels)]
    q = statistics.quantiles(both, n=4) if len(both) >= 4 else [min(both), 0, max(both)]
    return {"runs": len(both), "median_ms": statistics.median(both), "q1_ms": q[0], "q3_ms": q[2],
            "min_ms": min(both), "add_median_ms": statistics.median(adds),
            "del_median_ms": statistics.median(dels)}


def timed(rounds, warmup, add, delete):
    """rounds of add() then delete(), each timed; the first warmup rounds are not kept."""
    adds, dels = [], []
    for i in range(warmup + rounds):
        t0 = time.perf_counter()
        add()
        t1 = time.perf_counter()
        delete()
        t2 = time.perf_counter()
        if i >= warmup:
            adds.append((t1 - t0) * 1e3)
            dels.append((t2 - t1) * 1e3)
    return adds, dels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    rtnl = Rtnl()
    try:  # a leftover of a killed run (only inside bench's own namespace, which dies with it)
        rtnl.link_del()
    except OSError:
        pass
    doc = {"how": "RTM_NEWLINK veth (1 queue each way) + RTM_DELLINK, timed in-process (python3, raw rtnetlink)"}
    doc.update(summary(*timed(a.runs, a.warmup, rtnl.veth_add, rtnl.link_del)))

    def configure():
        rtnl.veth_add(HOST_INDEX, "eth0", PEER_INDEX, peer_ns)  # the peer named as a container's
        rtnl.link_up(HOST_INDEX)
        rtnl.addr_add(HOST_INDEX, HOST_ADDR)
        inside.link_up(PEER_INDEX)
        inside.addr_add(PEER_INDEX, PEER_ADDR)
        inside.default_route_add(PEER_INDEX, HOST_ADDR)

    # The second figure is extra: if it cannot be measured, the floor is still written.
    try:
        peer_ns, inside = peer_namespace()
        doc["configured"] = {"how": "the same, for the pair the contract asks for: the peer created "
                                    "in another network namespace, both ends up with an address, a "
                                    "default route via the host end; then RTM_DELLINK"}
        doc["configured"].update(summary(*timed(a.runs, a.warmup, configure, rtnl.link_del)))
    except OSError as e:
        print(f"vethfloor.py: no configured pair: {e}", file=sys.stderr)
        doc["configured"] = None
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
