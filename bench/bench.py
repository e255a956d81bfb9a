#!/usr/bin/env python3
"""Speed benchmarks of synscope, as ratios against a reference run in the
same session (the machines are shared and noisy; absolute figures are not
comparable across runs, ratios are).

  bench/bench.py make-big [--packets N] [--out FILE]
      Builds a large Ethernet pcap from the bundled samples: the samples'
      connections are replayed over and over, each copy on its own client
      port and later in time, with the TCP checksum fixed up (RFC 1624), so
      the file looks like many real connections.
  bench/bench.py conns [--build DIR] [--runs N] [FILE]
      Times the connection analysis: `synscope -r FILE` (summary) and
      `synscope -r FILE --conns=json` against the same floor, and the
      peers where installed: `tshark -r FILE -q -z conv,tcp` and
      `tcptrace -n FILE`. Prints packets/s, peak RSS and ratios to the
      floor and to synscope's summary run.
  bench/bench.py packets [--build DIR] [--runs N] [FILE]
      Times `synscope -r FILE --packets=json > /dev/null` against a bare
      libpcap read loop (bench/pcap_floor.c) over the same file, several
      runs each, and prints medians, packets/s, peak RSS and the ratio.

Not a test: nothing here fails on a figure.
"""
import argparse
import heapq
import shutil
import os
import statistics
import struct
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(TOP, "bench", "data")
# A mix of outcomes: clean closes over IPv4, IPv6 and VLAN, refusals,
# resets, loss with retransmissions, zero windows and keep-alives.
SEED_SAMPLES = ["tcp4-normal.pcap", "tcp6-normal.pcap", "vlan-normal.pcap",
                "tcp4-refused.pcap", "tcp4-rst-abort.pcap", "tcp4-loss.pcap",
                "tcp4-zero-window.pcap", "tcp4-keepalive.pcap",
                "tcp4-half-close.pcap"]


def read_pcap(path):
    """Yields (ts_sec, ts_usec, frame) from a little-endian microsecond
    Ethernet pcap, the format the samples are recorded in."""
    with open(path, "rb") as f:
        head = f.read(24)
        magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", head)
        if magic != 0xA1B2C3D4 or linktype != 1:
            raise SystemExit(f"{path}: not a little-endian micro Ethernet pcap")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, usec, incl, _orig = struct.unpack("<IIII", rec)
            yield sec, usec, f.read(incl)


def tcp_offset(frame):
    """Offset of the TCP header in an Ethernet frame, or None."""
    off, etype = 14, struct.unpack_from("!H", frame, 12)[0]
    while etype in (0x8100, 0x88A8):
        etype = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    if etype == 0x0800 and frame[off + 9] == 6:
        return off + (frame[off] & 0x0F) * 4
    if etype == 0x86DD and frame[off + 6] == 6:
        return off + 40
    return None


def csum_fix(csum, old, new):
    """RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')."""
    s = (~csum & 0xFFFF) + (~old & 0xFFFF) + new
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def rewrite(frame, cport, nport, ts):
    """One pcap record of `frame` with client port cport moved to nport."""
    fr = bytearray(frame)
    off = tcp_offset(fr)
    sport, dport = struct.unpack_from("!HH", fr, off)
    ck = struct.unpack_from("!H", fr, off + 16)[0]
    if sport == cport:
        struct.pack_into("!H", fr, off, nport)
        ck = csum_fix(ck, sport, nport)
    elif dport == cport:
        struct.pack_into("!H", fr, off + 2, nport)
        ck = csum_fix(ck, dport, nport)
    struct.pack_into("!H", fr, off + 16, ck)
    sec = int(ts)
    usec = min(int(round((ts - sec) * 1e6)), 999999)
    return struct.pack("<IIII", sec, usec, len(fr), len(fr)) + bytes(fr)


def make_big(args):
    seeds = []
    for name in SEED_SAMPLES:
        recs = list(read_pcap(os.path.join(TOP, "samples", name)))
        t0 = recs[0][0] + recs[0][1] / 1e6
        seeds.append([((s + u / 1e6) - t0, fr) for s, u, fr in recs])
    client_ports = {}
    for recs in seeds:
        # the client is the sender of the first packet (the SYN)
        off = tcp_offset(recs[0][1])
        client_ports[id(recs)] = struct.unpack_from("!H", recs[0][1], off)[0]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    # Copies start every 0.5 ms and overlap; a heap merges their packets
    # into one time-ordered stream, as a capture would hold them.
    base, gap = 1_700_000_000.0, 0.0005
    heap, written, copy = [], 0, 0
    with open(args.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < args.packets:
            while not heap or base + copy * gap <= heap[0][0]:
                heapq.heappush(heap, (base + copy * gap, copy, 0))
                copy += 1
            ts, c, i = heapq.heappop(heap)
            recs = seeds[c % len(seeds)]
            start = base + c * gap
            f.write(rewrite(recs[i][1], client_ports[id(recs)],
                            10000 + c % 50000, ts))
            written += 1
            if i + 1 < len(recs):
                heapq.heappush(heap, (start + recs[i + 1][0], c, i + 1))
    print(f"{args.out}: {written} packets, {os.path.getsize(args.out)} bytes")


def timed(cmd):
    """Runs cmd with stdout to /dev/null; returns (seconds, peak RSS KiB)."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return dt, ru.ru_maxrss


def count_packets(floor, path):
    out = subprocess.run([floor, path], capture_output=True, text=True,
                         check=True).stdout
    return int(out.split()[0])


FLOOR = "libpcap read loop (floor)"
SUMMARY = "synscope -r F (summary)"


def table(args, extra_runs, runs_for):
    """Times each command `args.runs` times, interleaved so a burst of
    noise hits all of them alike, and prints medians and ratios."""
    floor = os.path.join(args.build, "bench", "pcap-floor")
    synscope = os.path.join(args.build, "cli", "synscope")
    path = args.file
    if not os.path.exists(path):
        make_big(argparse.Namespace(packets=args.make_packets, out=path))
    n = count_packets(floor, path)
    runs = {FLOOR: [floor, path], SUMMARY: [synscope, "-r", path]}
    runs.update(extra_runs(synscope, path))
    samples = {k: [] for k in runs}
    for i in range(args.runs):
        for name, cmd in runs.items():
            if i < runs_for(name, args.runs):
                samples[name].append(timed(cmd))
    results = {name: (statistics.median(t for t, _ in s), max(r for _, r in s))
               for name, s in samples.items()}
    floor_t, ours_t = results[FLOOR][0], results[SUMMARY][0]
    print(f"{path}: {n} packets; medians of {args.runs} runs "
          f"(fewer for slow peers: see the runs column)")
    print(f"{'command':36} {'runs':>4} {'seconds':>9} {'packets/s':>12} "
          f"{'peak RSS':>10} {'x floor':>8} {'x synscope':>10}")
    for name, (t, rss) in results.items():
        print(f"{name:36} {len(samples[name]):4} {t:9.3f} {n / t:12,.0f} "
              f"{rss / 1024:8.1f}MB {t / floor_t:8.2f} {t / ours_t:10.2f}")


def packets(args):
    def extra(synscope, path):
        return {
            "synscope --packets=json": [synscope, "-r", path, "--packets=json"],
            "synscope --packets (text)": [synscope, "-r", path, "--packets"],
        }
    table(args, extra, lambda name, runs: runs)


def conns(args):
    def extra(synscope, path):
        cmds = {"synscope -r F --conns=json":
                [synscope, "-r", path, "--conns=json"]}
        if shutil.which("tshark"):
            cmds["tshark -q -z conv,tcp"] = ["tshark", "-r", path, "-q",
                                             "-z", "conv,tcp"]
        if shutil.which("tcptrace"):
            cmds["tcptrace -n"] = ["tcptrace", "-n", path]
        return cmds
    # the peers take minutes on a large file: one run each is enough to
    # see a ratio of tens
    table(args, extra,
          lambda name, runs: 1 if name.startswith(("tshark", "tcptrace"))
          else runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mb = sub.add_parser("make-big")
    mb.add_argument("--packets", type=int, default=2_000_000)
    mb.add_argument("--out", default=os.path.join(DATA, "big.pcap"))
    for name, size, default in (("packets", 2_000_000, "big.pcap"),
                                ("conns", 10_000_000, "big10m.pcap")):
        pk = sub.add_parser(name)
        pk.add_argument("--build", default=os.path.join(TOP, "build"))
        pk.add_argument("--runs", type=int, default=5)
        pk.add_argument("--make-packets", type=int, default=size,
                        help="size of the file to build when FILE is missing")
        pk.add_argument("file", nargs="?", default=os.path.join(DATA, default))
    args = ap.parse_args()
    {"make-big": make_big, "packets": packets, "conns": conns}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
