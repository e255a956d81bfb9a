#!/usr/bin/env python3
"""Speed benchmarks of synscope, as ratios against a reference run in the
same session (the machines are shared and noisy; absolute figures are not
comparable across runs, ratios are).

  bench/bench.py make-big [--packets N] [--out FILE]
      Builds a large Ethernet pcap from the bundled samples: the samples'
      connections are replayed over and over, each copy on its own client
      port and later in time, with the TCP checksum fixed up (RFC 1624), so
      the file looks like many real connections. Records keep the samples'
      capture and wire lengths (tcp4-loss.pcap was taken with a 128-byte
      snaplen, so its data segments stay cut, as they were captured).
  bench/bench.py make-flood [--packets N] [--out FILE]
      Builds a SYN flood: one SYN rewritten in memory over and over, each
      copy from a random spoofed source address and port with a random
      sequence number (checksums fixed up), 2 million a second against one
      server, with one packet in 20 from make-big's stream of ordinary
      connections woven in.
  bench/bench.py conns [--build DIR] [--runs N] [FILE]
      Times the connection analysis: `synscope -r FILE` (summary) and
      `synscope -r FILE --conns=json` against the same floor, and the
      peers where installed: `tcpdump -n -r FILE`, `tshark -r FILE -q -z
      conv,tcp` and `tcptrace -n FILE`. Prints wall and CPU seconds,
      packets/s, peak RSS and ratios to the floor and to synscope's summary
      run.
  bench/bench.py flood [--build DIR] [--runs N] [--peers] [FILE]
      The same table over the SYN flood; the peers only with --peers:
      on millions of distinct 4-tuples tshark takes 9.5 GB of memory,
      tcptrace more than 14 GB, and tcpdump goes quadratic.
  bench/bench.py packets [--build DIR] [--runs N] [FILE]
      Times `synscope -r FILE --packets=json > /dev/null` against a bare
      libpcap read loop (bench/pcap_floor.c) over the same file, several
      runs each, and prints medians, packets/s, peak RSS and the ratio.
  bench/run.sh runs `conns` and `flood` on their default files, building
      what is missing (see there).

Not a test: nothing here fails on a figure.
"""
import argparse
import heapq
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import threading
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
    """Yields (ts_sec, ts_usec, frame, wire length) from a little-endian
    microsecond Ethernet pcap, the format the samples are recorded in."""
    with open(path, "rb") as f:
        head = f.read(24)
        magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", head)
        if magic != 0xA1B2C3D4 or linktype != 1:
            raise SystemExit(f"{path}: not a little-endian micro Ethernet pcap")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, usec, incl, orig = struct.unpack("<IIII", rec)
            yield sec, usec, f.read(incl), orig


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


def rewrite(frame, wire, cport, nport, ts):
    """One pcap record of `frame` (`wire` bytes long on the wire: a sample
    cut by its snaplen stays cut) with client port cport moved to nport."""
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
    return struct.pack("<IIII", sec, usec, len(fr), wire) + bytes(fr)


def big_stream(count):
    """Yields `count` pcap records (bytes) of make-big's replayed
    connections, in time order."""
    seeds = []
    for name in SEED_SAMPLES:
        recs = list(read_pcap(os.path.join(TOP, "samples", name)))
        t0 = recs[0][0] + recs[0][1] / 1e6
        seeds.append([((s + u / 1e6) - t0, fr, wire)
                      for s, u, fr, wire in recs])
    client_ports = {}
    for recs in seeds:
        # the client is the sender of the first packet (the SYN)
        off = tcp_offset(recs[0][1])
        client_ports[id(recs)] = struct.unpack_from("!H", recs[0][1], off)[0]
    # Copies start every 0.5 ms and overlap; a heap merges their packets
    # into one time-ordered stream, as a capture would hold them.
    base, gap = 1_700_000_000.0, 0.0005
    heap, written, copy = [], 0, 0
    while written < count:
        while not heap or base + copy * gap <= heap[0][0]:
            heapq.heappush(heap, (base + copy * gap, copy, 0))
            copy += 1
        ts, c, i = heapq.heappop(heap)
        recs = seeds[c % len(seeds)]
        start = base + c * gap
        yield rewrite(recs[i][1], recs[i][2], client_ports[id(recs)],
                      10000 + c % 50000, ts)
        written += 1
        if i + 1 < len(recs):
            heapq.heappush(heap, (start + recs[i + 1][0], c, i + 1))


def pcap_header():
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def make_big(args):
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(pcap_header())
        for rec in big_stream(args.packets):
            f.write(rec)
    print(f"{args.out}: {args.packets} packets, "
          f"{os.path.getsize(args.out)} bytes")


def flood_syn():
    """The SYN of tcp4-normal.pcap (Ethernet, IPv4, TCP with options)."""
    recs = read_pcap(os.path.join(TOP, "samples", "tcp4-normal.pcap"))
    _, _, frame, _ = next(recs)
    return frame


def make_flood(args):
    """Spoofed SYNs: the template's source address, source port and
    sequence number rewritten in memory per copy, both checksums fixed up
    incrementally (RFC 1624), woven with ordinary connections."""
    tpl = bytearray(flood_syn())
    ip, tcp = 14, tcp_offset(tpl)
    src = struct.unpack_from("!HH", tpl, ip + 12)
    sport, = struct.unpack_from("!H", tpl, tcp)
    seq = struct.unpack_from("!HH", tpl, tcp + 4)
    ip_ck, = struct.unpack_from("!H", tpl, ip + 10)
    tcp_ck, = struct.unpack_from("!H", tpl, tcp + 16)
    rng = random.Random(1)
    rate, share = 2_000_000.0, 20
    t0 = 1_700_000_000.0
    background = big_stream(args.packets // share + 1)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(pcap_header())
        for n in range(args.packets):
            ts = t0 + n / rate
            if n % share == share - 1:
                # an ordinary packet, moved to the flood's clock
                rec = bytearray(next(background))
                sec = int(ts)
                struct.pack_into("<II", rec, 0, sec,
                                 min(int((ts - sec) * 1e6), 999999))
                f.write(rec)
                continue
            a = rng.getrandbits(32) | 0x01000000     # not 0.x.x.x
            new_src = (a >> 16, a & 0xFFFF)
            new_sport = rng.randrange(1024, 65536)
            s = rng.getrandbits(32)
            new_seq = (s >> 16, s & 0xFFFF)
            ick, tck = ip_ck, tcp_ck
            for old, new in zip(src, new_src):
                ick = csum_fix(ick, old, new)
                tck = csum_fix(tck, old, new)   # pseudo-header
            tck = csum_fix(tck, sport, new_sport)
            for old, new in zip(seq, new_seq):
                tck = csum_fix(tck, old, new)
            struct.pack_into("!HH", tpl, ip + 12, *new_src)
            struct.pack_into("!H", tpl, ip + 10, ick)
            struct.pack_into("!H", tpl, tcp, new_sport)
            struct.pack_into("!HH", tpl, tcp + 4, *new_seq)
            struct.pack_into("!H", tpl, tcp + 16, tck)
            src, sport, seq, ip_ck, tcp_ck = (new_src, new_sport, new_seq,
                                              ick, tck)
            sec = int(ts)
            usec = min(int((ts - sec) * 1e6), 999999)
            f.write(struct.pack("<IIII", sec, usec, len(tpl), len(tpl)))
            f.write(tpl)
    print(f"{args.out}: {args.packets} packets, "
          f"{os.path.getsize(args.out)} bytes")


TIMEOUT = 300           # seconds: a peer slower than this is left out


def timed(cmd):
    """Runs cmd with stdout and stderr to /dev/null; returns (wall seconds,
    CPU seconds of every thread, peak RSS KiB), or None when it ran past
    TIMEOUT and was killed."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=null)
        watchdog = threading.Timer(TIMEOUT, p.kill)
        watchdog.start()
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        watchdog.cancel()
    if dt >= TIMEOUT:
        return None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return dt, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def count_packets(floor, path):
    out = subprocess.run([floor, path], capture_output=True, text=True,
                         check=True).stdout
    return int(out.split()[0])


FLOOR = "libpcap read loop (floor)"
SUMMARY = "synscope -r F (summary)"


def table(args, path, make, extra_runs):
    """Times each command several times, interleaved so a burst of noise
    hits all of them alike, and prints medians and ratios. extra_runs
    gives the commands beyond the floor and the summary run, with how
    many runs each (None: args.runs)."""
    floor = os.path.join(args.build, "bench", "pcap-floor")
    synscope = os.path.join(args.build, "cli", "synscope")
    if not os.path.exists(path):
        make(argparse.Namespace(packets=args.make_packets, out=path))
    n = count_packets(floor, path)
    args.notes = []
    runs = {FLOOR: ([floor, path], None),
            SUMMARY: ([synscope, "-r", path], None)}
    runs.update(extra_runs(synscope, path))
    want = {k: args.runs if r is None else min(r, args.runs)
            for k, (_, r) in runs.items()}
    samples = {k: [] for k in runs}
    for i in range(max(want.values())):
        for name, (cmd, _) in runs.items():
            if i < want[name] and None not in samples[name]:
                samples[name].append(timed(cmd))
    for name, s in list(samples.items()):
        if None in s:
            args.notes.append(f"{name}: stopped after {TIMEOUT} s")
            del samples[name]
    results = {name: (statistics.median(t for t, _, _ in s),
                      statistics.median(c for _, c, _ in s),
                      max(r for _, _, r in s))
               for name, s in samples.items()}
    floor_t, ours_t = results[FLOOR][0], results[SUMMARY][0]
    print(f"{path}: {n:,} packets; medians of up to {args.runs} runs "
          f"(see the runs column)")
    print(f"{'command':34} {'runs':>4} {'wall s':>8} {'CPU s':>8} "
          f"{'packets/s':>12} {'peak RSS':>10} {'x floor':>8} "
          f"{'x synscope':>10}")
    for name, (t, cpu, rss) in results.items():
        print(f"{name:34} {len(samples[name]):4} {t:8.3f} {cpu:8.3f} "
              f"{n / t:12,.0f} {rss / 1024:8.1f}MB {t / floor_t:8.2f} "
              f"{t / ours_t:10.2f}")
    for note in args.notes:
        print(f"  ({note})")
    print()


def peers(args, path):
    """The other tools, where installed; each at most `runs` times (they
    take from seconds to minutes on a large file)."""
    cmds = {}
    for name, cmd, runs in (
            ("tcpdump -n -r F > /dev/null", ["tcpdump", "-n", "-r", path], 2),
            ("tshark -r F -q -z conv,tcp",
             ["tshark", "-r", path, "-q", "-z", "conv,tcp"], 1),
            ("tcptrace -n F", ["tcptrace", "-n", path], 2)):
        if shutil.which(cmd[0]):
            cmds[name] = (cmd, runs)
        else:
            args.notes.append(f"{cmd[0]} is not installed: skipped")
    return cmds


def packets(args):
    def extra(synscope, path):
        return {
            "synscope --packets=json": (
                [synscope, "-r", path, "--packets=json"], None),
            "synscope --packets (text)": (
                [synscope, "-r", path, "--packets"], None),
        }
    table(args, args.file, make_big, extra)


def conns_extra(args, with_peers):
    def extra(synscope, path):
        cmds = {"synscope -r F --conns=json": (
            [synscope, "-r", path, "--conns=json"], None)}
        if with_peers:
            cmds.update(peers(args, path))
        else:
            args.notes.append("peers not run (--peers runs them)")
        return cmds
    return extra


def conns(args):
    table(args, args.file, make_big, conns_extra(args, True))


def flood(args):
    # Millions of distinct 4-tuples: tshark keeps every conversation
    # (9.5 GB for 5 M SYNs), tcptrace every connection (past 14 GB),
    # and tcpdump's relative-sequence table, a fixed-size hash with one
    # entry per 4-tuple, makes it quadratic (past 5 minutes). Opt-in.
    table(args, args.file, make_flood, conns_extra(args, args.peers))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, default in (("make-big", "big.pcap"),
                          ("make-flood", "flood5m.pcap")):
        mb = sub.add_parser(name)
        mb.add_argument("--packets", type=int,
                        default=2_000_000 if name == "make-big" else 5_000_000)
        mb.add_argument("--out", default=os.path.join(DATA, default))
    for name, size, default in (("packets", 2_000_000, "big.pcap"),
                                ("conns", 10_000_000, "big10m.pcap"),
                                ("flood", 5_000_000, "flood5m.pcap")):
        pk = sub.add_parser(name)
        pk.add_argument("--build", default=os.path.join(TOP, "build"))
        pk.add_argument("--runs", type=int, default=5)
        pk.add_argument("--make-packets", type=int, default=size,
                        help="size of the file to build when FILE is missing")
        pk.add_argument("file", nargs="?", default=os.path.join(DATA, default))
        if name == "flood":
            pk.add_argument("--peers", action="store_true",
                            help="time tcpdump, tshark and tcptrace too "
                            "(slow, and over 14 GB of memory)")
    args = ap.parse_args()
    {"make-big": make_big, "make-flood": make_flood, "packets": packets,
     "conns": conns, "flood": flood}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
