#!/usr/bin/env python3
"""vethfloor.py — the kernel's own cost of a veth pair: RTM_NEWLINK + RTM_DELLINK, timed in-process.

Called by tests/kit/bench/run inside its private network namespace, right after hyperfine. It
creates a veth pair (one queue each way, as the reference does) and deletes it again, RUNS times
after WARMUP untimed rounds, timing each request around its send and the kernel's answer: no
process start, no ip(8) parsing or cache, only what the kernel takes. Deleting a device waits
for a normal RCU grace period (netdev_run_todo -> rcu_barrier), so this is the floor of any
runtime that makes a veth pair and deletes it before it exits. `ip -batch` with the same two
requests, less an `ip` that asks for nothing, measures about the same plus ip's own work.

usage: vethfloor.py --runs N [--warmup N] --json FILE
"""
import argparse
import json
import os
import socket
import statistics
import struct
import time

RTM_NEWLINK, RTM_DELLINK, NLMSG_ERROR = 16, 17, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
IFLA_IFNAME, IFLA_LINKINFO, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES = 3, 18, 31, 32
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
NAME, PEER = "vfloor0", "vfloor1"


def attr(kind, data):
    size = 4 + len(data)
    return struct.pack("HH", size, kind) + data + b"\0" * (-size % 4)


def ifinfomsg():
    return struct.pack("BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)


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

    def veth_add(self):
        peer = attr(VETH_INFO_PEER, ifinfomsg() + ifname(PEER) + one_queue_each_way())
        info = attr(IFLA_INFO_KIND, b"veth") + attr(IFLA_INFO_DATA, peer)
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                     ifinfomsg() + ifname(NAME) + one_queue_each_way() + attr(IFLA_LINKINFO, info))

    def link_del(self):
        self.request(RTM_DELLINK, 0, ifinfomsg() + ifname(NAME))


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
    adds, dels = [], []
    for i in range(a.warmup + a.runs):
        t0 = time.perf_counter()
        rtnl.veth_add()
        t1 = time.perf_counter()
        rtnl.link_del()
        t2 = time.perf_counter()
        if i >= a.warmup:
            adds.append((t1 - t0) * 1e3)
            dels.append((t2 - t1) * 1e3)
    both = [x + y for x, y in zip(adds, dels)]
    q = statistics.quantiles(both, n=4) if len(both) >= 4 else [min(both), 0, max(both)]
    doc = {
        "how": "RTM_NEWLINK veth (1 queue each way) + RTM_DELLINK, timed in-process (python3, raw rtnetlink)",
        "runs": len(both),
        "median_ms": statistics.median(both),
        "q1_ms": q[0],
        "q3_ms": q[2],
        "min_ms": min(both),
        "add_median_ms": statistics.median(adds),
        "del_median_ms": statistics.median(dels),
    }
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
