#!/usr/bin/env python3
"""Differential test: synscope's connection records against tshark's.

Usage: conn_diff.py --synscope BIN [--jobs N] [--timeout S] [-v] [DIR...]

Every capture in each DIR (default: ../shared/corpus/tcpdump next to the
source root) is read by `synscope --conns=json --seed 1` and by one tshark
run that prints the per-frame fields of TSHARK_FIELDS and, in the same run,
the `-z conv,tcp` table.

Joining records and streams. tshark's frames are grouped by the unordered
4-tuple. synscope keeps one record per 4-tuple at a time, so each record is
a run of consecutive frames of its 4-tuple: the run starts at a frame whose
time, truncated to the microsecond, is the record's `ts`, and holds as
many frames as the record counted (packets plus capture duplicates). The
runs are cut in file order; the frames then tell which `tcp.stream` each
record is. A record that is exactly one stream is "whole"; a stream cut in
several records was split by synscope (each later part is listed, see
SPLIT); a record spanning several streams is a merge (never expected).
When the frames cannot be cut so (a frame one tool has and the other has
not), the 4-tuple falls back to joining records and streams on the start
time alone, and whatever is left over is a "connection" difference.

The checks, and what each synscope field is compared with:

  connections  the number of records vs the number of distinct
               `tcp.stream` values among the frames synscope decodes
  packets      `orig_pkts`, `resp_pkts` vs the conv,tcp table's frames in
               that direction (`->` is from A, its first endpoint), less
               the stream's frames synscope does not decode (tunnels) and
               less capture duplicates (below), which synscope counts
               apart (flow/conn.c conn_packet()). For part of a split
               stream, or a stream without a conv,tcp row (a frame whose
               dissection threw stops tshark's tap), the frames
               themselves are counted
  ip_bytes     `orig_ip_bytes`, `resp_ip_bytes` vs the sum of that
               direction's IP total lengths: `ip.len` (IPv4; with TSO
               support a 0 there is the wire size, as synscope reads it),
               or 40 + `ipv6.plen`, or 40 + `ipv6.opt.jumbo` for an RFC
               2675 jumbogram. conv,tcp's bytes are frame bytes (link
               header and padding included, printed rounded to kB), which
               no synscope field holds
  bytes        `orig_bytes`, `resp_bytes` (payload) vs the sum of that
               direction's `tcp.len`
  irtt         `irtt` vs `tcp.analysis.initial_rtt` of the frame that set
               it (the first frame of the stream carrying it), both
               truncated to the microsecond; null agrees with absent
  flags        `analysis.orig.X`, `analysis.resp.X` vs the number of that
               direction's frames carrying `tcp.analysis.X`, mapped to
               synscope's way of counting each segment once, in its most
               specific class (ANCHORS 5.2):
                 - fast_retransmission and spurious_retransmission: frames
                   with that field; tshark 4.0 also puts
                   tcp.analysis.retransmission on them, not counted
                 - retransmission: frames with tcp.analysis.retransmission
                   and neither of the two above
                 - capture_duplicate (synscope's own): frames found here by
                   synscope's rule (flow/analysis.c flow_capture_dup()):
                   IPv4, IP id not 0, and IP id, raw seq, raw ack, length,
                   flags and window equal to the previous non-duplicate
                   frame of the same direction. tshark calls them
                   retransmissions (or duplicate ACKs...); since synscope
                   takes them out of the analysis, every tshark flag on
                   such a frame is dropped
                 - every other flag: frames carrying it, one for one; a
                   frame may carry several (zero_window with
                   zero_window_probe_ack...), as in synscope. A field
                   printed twice on one frame (tshark adds an expert item
                   of the same name: duplicate_ack shows "1,1") counts once

Directions: frames from the record's id.orig_h/p are "orig"; when both
endpoints are the same (a LAND packet) every frame is the orig's, as in
synscope (flow/key.c).

What synscope decodes: a frame where tshark sees exactly one TCP layer,
carried by the outermost IP header (IPv6 extension headers and AH may sit
between), as in tshark_diff.py. TCP inside a tunnel (GRE, VXLAN, Geneve,
IP-in-IP...) or an ICMP error is not decoded by synscope, by design: such
frames are counted apart, and a stream made only of them is no connection.

tshark runs with relative sequence numbers and sequence analysis on, the
TSO preferences of tshark_diff.py, no IP defragmentation (synscope reads
the TCP header in the first fragment), no TCP reassembly, every TCP
payload handed to the "data" dissector (no application dissector runs, so
none nests a second TCP layer), and an empty personal configuration.

Skipped and counted: files whose link type synscope refuses (its
"unsupported link type NAME (N)" message with N not among the link types
decode/link.c lists), files tshark cannot read, files without TCP for
either tool. A file synscope cannot read at all fails when tshark finds a
connection in it.

Speed: files where synscope finds no connection are concatenated with
mergecap into one pcapng per worker and tshark lists their TCP frames in
one run each (interface ids mapped back to files); only files with TCP for
either tool get a full run of their own.

A disagreement fails the test unless an entry of KNOWN_DIFFERENCES accepts
it (each entry states the reason and checks that the case is that one);
accepted ones are counted, and printed with -v.

Exit status: 0 all agree (or only known differences), 1 an unexplained
difference or a tool failure, 77 (Meson's skip) when tshark is absent or
none of the given directories exists.
"""

import collections
import concurrent.futures
import decimal
import ipaddress
import json
import os
import re
import shutil
import sys
import tempfile
import time

from tshark_common import (EXIT_SKIP, epoch_ns, err_lines, list_captures,
                           missing_tools, parse_args, tshark_cmd,
                           read_status, run, tcp_chains, tcp_placement,
                           tshark_env)

SYNSCOPE_TIMEOUT = 30
NS = 10**9

# synscope's timeouts (flow/table.c flow_config_default()): an unanswered
# SYN and the linger after FIN/FIN or RST 5 s, half-open entries 20 s, open
# ones 300 s. A record ends when the packet clock (the largest time stamp
# seen) passes its last packet by more than its list's timeout.
SHORT_TIMEOUT_NS = 5 * NS
HALF_OPEN_TIMEOUT_NS = 20 * NS
OPEN_TIMEOUT_NS = 300 * NS


def split_timeout_ns(rec):
    """The idle time after which synscope ends a record like `rec`, from
    how it ended (flow/table.c conn_list())."""
    if rec.get("close") != "idle_timeout":
        return SHORT_TIMEOUT_NS     # closed, refused, unanswered
    two_way = rec.get("orig_pkts") and rec.get("resp_pkts")
    if rec.get("handshake") in ("established", "simultaneous_open") or (
            rec.get("handshake") == "midstream" and two_way):
        return OPEN_TIMEOUT_NS
    return HALF_OPEN_TIMEOUT_NS

# synscope's analysis names, in docs/conns.md order; all but the last are
# tshark's tcp.analysis.* suffixes.
FLAGS = ["retransmission", "fast_retransmission", "spurious_retransmission",
         "out_of_order", "lost_segment", "ack_lost_segment", "duplicate_ack",
         "zero_window", "zero_window_probe", "zero_window_probe_ack",
         "window_full", "window_update", "keep_alive", "keep_alive_ack",
         "capture_duplicate"]
TSHARK_FLAGS = FLAGS[:-1]
SIDES = ("orig", "resp")

# Per connection, the fields compared, by check.
CHECKS = collections.OrderedDict([
    ("packets", ["orig_pkts", "resp_pkts"]),
    ("ip_bytes", ["orig_ip_bytes", "resp_ip_bytes"]),
    ("bytes", ["orig_bytes", "resp_bytes"]),
    ("irtt", ["irtt"]),
] + [(f, ["analysis.%s.%s" % (s, f) for s in SIDES]) for f in FLAGS])


# --- known differences ------------------------------------------------------
#
# Each entry: (name, reason, test). The test gets a Diff (file, where,
# field, syn and ts values, and the Conn compared, or None for a file-level
# count) and says whether this difference is the case the reason explains.
# Fields are CHECKS' names, "connections" (the file's count), "split" (a
# stream synscope cut in two), "merge" and "connection" (a record or a
# stream left over).

SPLIT = (
    "synscope ended the record on a timeout and began a new one with the "
    "next packet of the 4-tuple: its packet clock had passed the record's "
    "last packet by more than the timeout of the record's kind (5 s for an "
    "unanswered SYN and the linger after close, 20 s half-open, 300 s "
    "open: Zeek's tcp_inactivity_timeout), as Zeek does; tshark never "
    "ends a stream on "
    "time, only on a new SYN. A deliberate Zeek-like choice; the parts' "
    "packets and bytes are checked against the stream's frames")
SPLIT_STATE = (
    "a record begun by a timeout split starts without the sequence state "
    "of the earlier part (nextseq, lastack, the SYN of the iRTT), which "
    "tshark carries on: the flags of its first segments (lost segment, "
    "ACKed unseen segment...) and the iRTT follow from that")
RST_IRTT = (
    "an RST+ACK answered the SYN: tshark sets tcp.analysis.initial_rtt on "
    "the first packet with ACK and without SYN after a SYN, RST included "
    "(packet-tcp.c dissect_tcp(): (flags & (SYN|ACK)) == ACK and "
    "ts_mru_syn set); synscope's iRTT needs a completed handshake "
    "(flow/handshake.c, documented there as a deliberate difference). "
    "synscope is right for an iRTT: no round trip of a handshake happened")
FRAGMENT_LEN = (
    "IPv4 first fragment (MF set, offset 0): tshark gives no tcp.len for "
    "any IP fragment (packet-tcp.c dissect_tcp(): only if "
    "!pinfo->fragmented), the segment's length being unknown; synscope "
    "counts the payload this fragment carries, like tcpdump (as in "
    "tshark_diff.py)")
BAD_SUBSECOND = (
    "the pcap record's sub-second field is 1 s or more, so the time stamp "
    "is invalid: synscope normalises it, carrying whole seconds "
    "(capture/capture.c), tshark does not (10 fraction digits, a negative "
    "time, or 2^31 us wrapped to 0), as in tshark_diff.py. The carried "
    "time moves synscope's packet clock 2147 s ahead, which times the "
    "handshake out and splits the connection (micro), or stretches the "
    "iRTT (nano)")
TOTLEN_LONG = (
    "fuzzed frame: the IPv4 total length (62) exceeds the bytes the frame "
    "holds (50), and the packet is also a first fragment: synscope sums "
    "the IP bytes present (decode.ipv4.totlen_long) and their payload; "
    "tshark sums the header's total length and gives no tcp.len for a "
    "fragment")


def fragment_test(d):
    """The difference is exactly the payload of first fragments, which
    tshark does not count."""
    if not d.conn or not re.fullmatch(r"(orig|resp)_bytes", d.field):
        return False
    extra = sum(f.fragment_payload for f in d.conn.side_frames(d.field[:4])
                if f.payload is None and f.fragment_payload is not None)
    return extra > 0 and d.ts + extra == d.syn


def at(name, *fields):
    return lambda d: d.file == name and (not fields or d.field in fields)


KNOWN_DIFFERENCES = [
    ("timeout split", SPLIT,
     lambda d: d.field == "split" and d.conn.split_known()),
    ("state after a timeout split", SPLIT_STATE,
     lambda d: d.conn is not None and d.conn.split_known()
     and (d.field == "irtt" or d.field.startswith("analysis."))),
    ("iRTT of a refused connection", RST_IRTT,
     lambda d: d.field == "irtt" and d.syn is None and d.conn.irtt_frame
     is not None and d.conn.irtt_frame.tcp_flags & 0x004),
    ("IPv4 first fragment", FRAGMENT_LEN, fragment_test),
    ("invalid sub-second time stamp", BAD_SUBSECOND,
     lambda d: d.file in ("timestamp_invalid_micro.pcap",
                          "timestamp_invalid_nano.pcap")),
    ("IPv4 total length beyond the frame", TOTLEN_LONG,
     at("rpki-rtr-oobr.pcap", "resp_ip_bytes", "resp_bytes")),
]

TSHARK_PREFS = [
    "tcp.relative_sequence_numbers:TRUE",
    "tcp.analyze_sequence_numbers:TRUE",
    "tcp.desegment_tcp_streams:FALSE",
    "tcp.try_heuristic_first:FALSE",
    "ip.defragment:FALSE",
    "ipv6.defragment:FALSE",
    # An IP length of 0 is a TSO/GSO or BIG TCP super-packet sized by the
    # wire, as tcpdump and synscope read it (decode/ipv4.c, ipv6.c); tshark
    # does so by default for IPv4 only. Same as tshark_diff.py.
    "ip.tso_support:TRUE",
    "ipv6.tso_support:TRUE",
]
TSHARK_FIELDS = [
    "frame.number", "frame.protocols", "frame.time_epoch",
    "frame.time_relative", "ip.src", "ip.dst", "ip.len", "ip.id",
    "ip.hdr_len", "ip.flags.mf", "ip.frag_offset", "ipv6.src", "ipv6.dst",
    "ipv6.plen", "ipv6.opt.jumbo", "tcp.srcport", "tcp.dstport",
    "tcp.stream", "tcp.hdr_len", "tcp.len", "tcp.seq_raw", "tcp.ack_raw",
    "tcp.flags", "tcp.window_size_value", "tcp.analysis.initial_rtt",
] + ["tcp.analysis." + f for f in TSHARK_FLAGS]


# --- running the tools ------------------------------------------------------



class FileResult:
    """Everything learnt about one capture file."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.syn_status = None      # ok, readerr, unsupported, fail
        self.syn_note = ""
        self.recs = []              # synscope's records, in output order
        self.ts_status = None       # ok, partial, unreadable, timeout
        self.ts_note = ""
        self.rows = []              # tshark's frames with a TCP layer
        self.conv = []              # conv,tcp rows
        self.ts_tcp_hint = None     # from the batched pre-pass
        self.elapsed = 0.0


def run_synscope(binary, res):
    rc, out, err = run([binary, "-r", res.path, "--conns=json", "--seed",
                        "1"], SYNSCOPE_TIMEOUT)
    lines = err.decode("utf-8", "replace").splitlines()
    sanitizer = [l for l in lines if re.search(
        r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer", l)]
    if sanitizer:
        res.syn_status, res.syn_note = "fail", "sanitizer: " + sanitizer[0]
        return
    if rc == "timeout" or rc not in (0, 1):
        res.syn_status = "fail"
        res.syn_note = "synscope exited %s: %s" % (rc, " | ".join(lines[:3]))
        return
    for n, line in enumerate(out.decode("utf-8", "replace").splitlines(), 1):
        try:
            # parse_float keeps the digits of ts and irtt exact
            rec = json.loads(line, parse_float=str)
            rec["id.orig_h"], rec["id.resp_h"], rec["ts"], rec["analysis"]
        except (ValueError, KeyError, TypeError) as e:
            res.syn_status = "fail"
            res.syn_note = "bad JSON on line %d (%s): %.120s" % (n, e, line)
            return
        res.recs.append(rec)
    read_status(res, rc, lines, bool(res.recs))


CONV_ROW = re.compile(
    r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+"
    r"(\d+)\s+[\d.,]+ \S+\s+(\d+)\s+[\d.,]+ \S+\s+(\d+)\s+[\d.,]+ \S+\s+"
    r"(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*$")


def parse_tshark(out):
    """(rows of frames with a TCP layer, conv,tcp rows) of tshark's
    output."""
    rows, conv, in_conv = [], [], False
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("===="):
            in_conv = True
            continue
        if in_conv:
            m = CONV_ROW.match(line)
            if m:
                conv.append({
                    "a": (norm_addr(m.group(1)), int(m.group(2))),
                    "b": (norm_addr(m.group(3)), int(m.group(4))),
                    "to_a": int(m.group(5)), "from_a": int(m.group(6)),
                    "start": epoch_ns(m.group(8))})
            continue
        cols = line.split("\t")
        cols += [""] * (len(TSHARK_FIELDS) - len(cols))
        row = dict(zip(TSHARK_FIELDS, cols))
        if row["frame.number"].isdigit() and \
                "tcp" in row["frame.protocols"].split(":"):
            rows.append(row)
    return rows, conv


def run_tshark(tshark, env, timeout, res):
    t0 = time.monotonic()
    rc, out, err = run(tshark_cmd(tshark, res.path, TSHARK_FIELDS,
                                  TSHARK_PREFS,
                                  conv=True), timeout, env)
    res.elapsed = time.monotonic() - t0
    if rc == "timeout":
        res.ts_status = "timeout"
        res.ts_note = "tshark timed out after %d s" % timeout
        return
    res.rows, res.conv = parse_tshark(out)
    note = " | ".join(err_lines(err)[:2])
    if rc == 0:
        res.ts_status = "ok"
    elif out.strip():
        res.ts_status = "partial"       # read some frames, then an error
        res.ts_note = note
    else:
        res.ts_status = "unreadable"
        res.ts_note = note or "tshark exited %s" % rc


def prepass(tshark, env, results, jobs, timeout, tmp):
    """For files where synscope found no connection, sets ts_tcp_hint (True
    when tshark sees TCP right on the outermost IP) and keeps the protocol
    chains of their TCP frames in `rows`, from batched tshark runs; returns
    the files that could not be batched (they get a run of their own)."""
    cand = {r.path: r for r in results
            if not r.recs and r.syn_status in ("ok", "readerr")}
    chains, single = tcp_chains(
        lambda path, fields, flt: tshark_cmd(tshark, path, fields,
                                             TSHARK_PREFS, flt),
        shutil.which("mergecap"), env, list(cand), jobs, timeout, tmp)
    for path, ch in chains.items():
        cand[path].ts_tcp_hint = any(tcp_placement(c) == "direct"
                                     for c in ch)
        cand[path].rows = [{"frame.protocols": c} for c in ch]
    return [cand[p] for p in single]


# --- tshark's frames and streams --------------------------------------------

def usec_of_ns(ns):
    """Truncated to the microsecond toward zero, as synscope prints."""
    if ns is None:
        return None
    return -(-ns // 1000) if ns < 0 else ns // 1000


def usec(text):
    return usec_of_ns(epoch_ns(text))


def syn_usec(text):
    """A synscope time (JSON number text) in microseconds, truncated."""
    try:
        return int(decimal.Decimal(str(text)) * 10**6)
    except (decimal.InvalidOperation, ValueError):
        return None


def norm_addr(text):
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text


def first(text):
    return text.split(",")[0] if text else ""


def num(text, base=10):
    try:
        return int(first(text), base)
    except ValueError:
        return None


def ip_total_len(row, layers):
    """The IP total length synscope sums into *_ip_bytes."""
    if "ipv6" in layers:
        plen, jumbo = num(row["ipv6.plen"]), num(row["ipv6.opt.jumbo"])
        if plen == 0 and jumbo:
            return 40 + jumbo           # RFC 2675
        return None if plen is None else 40 + plen
    return num(row["ip.len"])


def dup_identity(row, layers):
    """What flow_capture_dup() compares, or None when it does not apply
    (IPv6, or an IPv4 id of 0)."""
    if "ipv6" in layers or not num(row["ip.id"], 16):
        return None
    return (row["ip.id"], row["tcp.seq_raw"], row["tcp.ack_raw"],
            row["tcp.len"], row["tcp.flags"], row["tcp.window_size_value"])


def marks(row):
    """The frame's tshark flags as synscope counts them (set of names)."""
    has = {f for f in TSHARK_FLAGS if row["tcp.analysis." + f]}
    if has & {"fast_retransmission", "spurious_retransmission"}:
        has.discard("retransmission")   # tshark 4.0 adds it to both
    return has


class Frame:
    """A frame synscope decodes, with what tshark says of it."""

    def __init__(self, row):
        layers = row["frame.protocols"].split(":")
        layers = layers[:layers.index("tcp")]
        self.num = int(row["frame.number"])
        self.stream = num(row["tcp.stream"])
        self.ns = epoch_ns(row["frame.time_epoch"])
        self.rel = epoch_ns(row["frame.time_relative"])
        if "ipv6" in layers:
            src, dst = first(row["ipv6.src"]), first(row["ipv6.dst"])
        else:
            src, dst = first(row["ip.src"]), first(row["ip.dst"])
        self.src = (norm_addr(src), num(row["tcp.srcport"]))
        self.dst = (norm_addr(dst), num(row["tcp.dstport"]))
        self.ip_len = ip_total_len(row, layers)
        self.payload = num(row["tcp.len"])
        self.tcp_flags = num(row["tcp.flags"], 16) or 0
        self.irtt = first(row["tcp.analysis.initial_rtt"]) or None
        self.ident = dup_identity(row, layers)
        self.marks = marks(row)
        self.clock = None       # synscope's packet clock after this frame
        self.fragment_payload = None
        if "ipv6" not in layers and (row["ip.flags.mf"] in ("1", "True")
                                     or num(row["ip.frag_offset"])):
            self.fragment_payload = max(0, (self.ip_len or 0) -
                                        (num(row["ip.hdr_len"]) or 0) -
                                        (num(row["tcp.hdr_len"]) or 0))


class Stream:
    def __init__(self, idx):
        self.idx = idx
        self.frames = []            # frames synscope decodes, file order
        self.nested = collections.Counter()  # the others, by source port
        self.rel = []               # every frame's relative time
        self.conv = None            # conv,tcp frames by sender

    def ends(self):
        return frozenset((self.frames[0].src, self.frames[0].dst))


def read_frames(rows):
    """(frames synscope decodes in file order, {tcp.stream: Stream}, the
    other TCP frames counted by reason). A frame whose TCP header tshark
    could not read has no tcp.stream and is in none."""
    frames, streams = [], {}
    skips = collections.Counter()
    clock = None
    for row in rows:
        place = tcp_placement(row["frame.protocols"])
        ids = [int(s) for s in row.get("tcp.stream", "").split(",")
               if s.isdigit()]
        if not ids:
            continue
        for i in ids:
            st = streams.setdefault(i, Stream(i))
            rel = epoch_ns(row["frame.time_relative"])
            if rel is not None:
                st.rel.append(rel)
        if place != "direct":
            reason = ("several TCP layers in one frame (tunnel)"
                      if place == "several" else
                      "TCP only inside another payload: " + place[8:])
            skips[reason] += 1
            sport = num(row["tcp.srcport"])
            for i in ids:
                streams[i].nested[sport] += 1
            continue
        f = Frame(row)
        if f.ns is not None:
            clock = f.ns if clock is None else max(clock, f.ns)
        f.clock = clock
        streams[f.stream].frames.append(f)
        frames.append(f)
    return frames, streams, skips


def attach_conv(streams, conv):
    """Sets each stream's conv,tcp frames by sending endpoint. A row joins
    the stream of its endpoints that starts at the row's start."""
    by_key = collections.defaultdict(list)
    for st in streams.values():
        if st.frames:
            by_key[st.ends()].append(st)
    for row in conv:
        cands = by_key.get(frozenset([row["a"], row["b"]]), [])
        hit = [s for s in cands if s.rel and row["start"] in (s.rel[0],
                                                              min(s.rel))]
        if len(hit) != 1 and len(cands) == 1:
            hit = cands
        if len(hit) == 1 and hit[0].conv is None:
            if row["a"] == row["b"]:        # one endpoint talking to itself
                hit[0].conv = {row["a"]: row["from_a"] + row["to_a"]}
            else:
                hit[0].conv = {row["a"]: row["from_a"], row["b"]: row["to_a"]}


# --- joining records and streams --------------------------------------------

def rec_ends(rec):
    return ((norm_addr(rec["id.orig_h"]), rec["id.orig_p"]),
            (norm_addr(rec["id.resp_h"]), rec["id.resp_p"]))


def rec_frames(rec):
    """Frames a record stands for: its packets and its capture
    duplicates."""
    an = rec["analysis"]
    return (rec["orig_pkts"] + rec["resp_pkts"] +
            an["orig"]["capture_duplicate"] + an["resp"]["capture_duplicate"])


class Conn:
    """One record and the tshark frames it is compared with."""

    def __init__(self, rec, frames, streams):
        self.rec = rec
        self.frames = frames
        self.streams = streams      # the tcp.stream indexes, in order
        self.kind = "whole"         # whole, part, merge
        self.part = (1, 1)
        self.after_split = False    # a later part of a split stream
        self.split_gap_ns = None    # clock - previous part's last packet
        self.prev_rec = None        # the previous part's record
        self.stream = None          # the Stream, when whole
        self.irtt_frame = None
        orig, resp = rec_ends(rec)
        self.land = orig == resp    # synscope counts it all as orig

    def where(self):
        if self.kind == "merge":
            return "streams %s" % "+".join(map(str, self.streams))
        if self.kind == "part":
            return "stream %d part %d/%d" % ((self.streams[0],) + self.part)
        return "stream %d" % self.streams[0]

    def split_known(self):
        """A later part of a stream, begun after the previous part's
        record could time out."""
        return self.after_split and self.split_gap_ns is not None and \
            self.split_gap_ns > split_timeout_ns(self.prev_rec)

    def side_frames(self, side):
        """This side's frames; all are the orig's when both ends are the
        same (flow/key.c: a LAND packet counts as one direction)."""
        orig, _ = rec_ends(self.rec)
        if self.land:
            return self.frames if side == "orig" else []
        return [f for f in self.frames if (f.src == orig) == (side == "orig")]

    def capture_dups(self):
        """The frames synscope counts as capture duplicates: its rule
        (flow_capture_dup()) run over this record's frames, each direction
        starting afresh as the record does."""
        dups = set()
        for side in SIDES:
            last = None
            for f in self.side_frames(side):
                if f.ident is not None and f.ident == last:
                    dups.add(f.num)
                else:
                    last = f.ident
        return dups


def cut_runs(frames, recs):
    """Cuts a 4-tuple's frames (file order) into one run per record;
    None when they cannot be cut so."""
    pending = list(recs)
    runs, i = [], 0
    while i < len(frames):
        t = usec_of_ns(frames[i].ns)
        chosen = None
        for r in pending:
            j = i + rec_frames(r)
            if syn_usec(r["ts"]) != t or j > len(frames):
                continue
            rest = [x for x in pending if x is not r]
            if (j == len(frames) and not rest) or (j < len(frames) and any(
                    syn_usec(x["ts"]) == usec_of_ns(frames[j].ns)
                    for x in rest)):
                chosen = r
                break
        if chosen is None:
            return None
        j = i + rec_frames(chosen)
        runs.append((chosen, frames[i:j]))
        pending.remove(chosen)
        i = j
    return runs if not pending else None


def join(recs, frames, streams):
    """Conns for the records, and what is left over: (conns, lone records,
    lone streams)."""
    by_tuple = collections.defaultdict(list)
    for f in frames:
        by_tuple[frozenset((f.src, f.dst))].append(f)
    recs_by_tuple = collections.defaultdict(list)
    for r in recs:
        recs_by_tuple[frozenset(rec_ends(r))].append(r)
    conns, lone_recs, lone_streams = [], [], []
    for key in set(by_tuple) | set(recs_by_tuple):
        fr, rs = by_tuple.get(key, []), recs_by_tuple.get(key, [])
        runs = cut_runs(fr, rs) if fr and rs else None
        if runs is None:
            c, lr, ls = join_by_time(rs, sorted(
                {f.stream for f in fr}), streams)
            conns += c
            lone_recs += lr
            lone_streams += ls
            continue
        conns += conns_of_runs(runs, streams)
    return conns, lone_recs, lone_streams


def conns_of_runs(runs, streams):
    conns, prev, prev_rec = [], None, None
    for rec, fr in runs:
        ids = list(dict.fromkeys(f.stream for f in fr))
        c = Conn(rec, fr, ids)
        if len(ids) > 1:
            c.kind = "merge"
        else:
            st = streams[ids[0]]
            if len(fr) != len(st.frames):
                c.kind = "part"
                k = sum(1 for f in st.frames if f.num < fr[0].num)
                parts = [x for x in runs if x[1][0].stream == ids[0]]
                c.part = (1 + sum(1 for x in parts if x[1][0].num <
                                  fr[0].num), len(parts))
                if k and prev is not None:
                    c.after_split = True
                    c.prev_rec = prev_rec
                    last = max((f.ns for f in prev if f.ns is not None),
                               default=None)
                    if fr[0].clock is not None and last is not None:
                        c.split_gap_ns = fr[0].clock - last
            else:
                c.stream = st
        set_irtt_frame(c, streams)
        conns.append(c)
        prev, prev_rec = fr, rec
    return conns


def set_irtt_frame(c, streams):
    """The frame where tshark set the iRTT, when it is in this record."""
    for idx in c.streams:
        for f in streams[idx].frames:
            if f.irtt is not None:
                if f in c.frames:
                    c.irtt_frame = f
                break


def join_by_time(recs, ids, streams):
    """The fallback: records and whole streams joined on the start time."""
    index = collections.defaultdict(list)
    for i in ids:
        st = streams[i]
        index[usec_of_ns(st.frames[0].ns)].append(st)
    conns, lone = [], []
    for rec in recs:
        cands = index.get(syn_usec(rec["ts"]))
        if not cands:
            lone.append(rec)
            continue
        st = cands.pop(0)
        c = Conn(rec, st.frames, [st.idx])
        c.stream = st
        set_irtt_frame(c, streams)
        conns.append(c)
    used = {c.streams[0] for c in conns}
    return conns, lone, [streams[i] for i in ids if i not in used]


# --- comparison -------------------------------------------------------------

def synscope_values(rec):
    v = {}
    for side in SIDES:
        for f in ("pkts", "ip_bytes", "bytes"):
            v["%s_%s" % (side, f)] = rec.get("%s_%s" % (side, f))
        an = rec["analysis"][side]
        for f in FLAGS:
            v["analysis.%s.%s" % (side, f)] = an.get(f)
    v["irtt"] = syn_usec(rec["irtt"]) if rec.get("irtt") is not None \
        else None
    return v


def tshark_values(c, t):
    orig, resp = rec_ends(c.rec)
    dups = c.capture_dups()
    v = {}
    for side, end in (("orig", orig), ("resp", resp)):
        frames = c.side_frames(side)
        real = [f for f in frames if f.num not in dups]
        ndup = len(frames) - len(real)
        conv = c.stream.conv if c.stream else None
        if c.land and side == "resp":
            v["resp_pkts"] = 0
        elif conv is not None:
            v[side + "_pkts"] = (conv.get(end, 0) -
                                 c.stream.nested[end[1]] - ndup)
        else:
            if c.stream:
                t.no_conv += 1
            v[side + "_pkts"] = len(real)
        v[side + "_ip_bytes"] = sum(f.ip_len or 0 for f in real)
        v[side + "_bytes"] = sum(f.payload or 0 for f in real)
        for fl in TSHARK_FLAGS:
            v["analysis.%s.%s" % (side, fl)] = sum(fl in f.marks
                                                   for f in real)
        v["analysis.%s.capture_duplicate" % side] = ndup
    v["irtt"] = usec(c.irtt_frame.irtt) if c.irtt_frame else None
    return v


class Diff:
    def __init__(self, file, where, field, syn, ts, conn):
        self.file, self.where, self.field = file, where, field
        self.syn, self.ts, self.conn = syn, ts, conn


class Tally:
    def __init__(self):
        self.files_compared = 0
        self.compared_names = set()
        self.files_failed = set()
        self.count_agree = 0
        self.conns = [0, 0]         # synscope, tshark
        self.joined = 0
        self.kinds = collections.Counter()
        self.all_agree = 0
        self.check = {c: [0, 0, 0] for c in CHECKS}  # agree, unexpl, known
        self.nonzero = collections.Counter()  # agreeing non-zero values
        self.flag_totals = {f: [0, 0] for f in FLAGS}  # synscope, tshark
        self.conn_diffs = [0, 0]    # unexplained, known
        self.left_over = 0
        self.no_conv = 0
        self.skips = collections.Counter()
        self.file_skips = collections.defaultdict(list)
        self.diffs = []             # (known name or None, text)
        self.known_seen = collections.Counter()
        self.tool_failures = []
        self.read_errors = []

    def differ(self, res, where, field, syn, ts, conn=None):
        d = Diff(res.name, where, field, syn, ts, conn)
        known = None
        for name, reason, test in KNOWN_DIFFERENCES:
            if test(d):
                known = name
                self.known_seen[name] += 1
                break
        if not known:
            self.files_failed.add(res.name)
        self.diffs.append((known, "%s %s %s: synscope=%s tshark=%s" % (
            res.name, where, field, fmt(field, syn), fmt(field, ts))))
        return known is not None


def fmt(field, v):
    if v is None:
        return "null"
    if field == "irtt" and isinstance(v, int):
        return "%d.%06d" % divmod(v, 10**6)
    return str(v)


def compare_file(res, t):
    t.files_compared += 1
    t.compared_names.add(res.name)
    frames, streams, skips = read_frames(res.rows)
    t.skips.update(skips)
    attach_conv(streams, res.conv)
    direct = [s for s in streams.values() if s.frames]
    t.conns[0] += len(res.recs)
    t.conns[1] += len(direct)
    conns, lone_recs, lone_streams = join(res.recs, frames, streams)
    for rec in lone_recs:
        t.conn_diffs[t.differ(res, "file", "connection", describe(rec),
                              "no stream")] += 1
    for st in lone_streams:
        t.conn_diffs[t.differ(res, "stream %d" % st.idx, "connection",
                              "no record", describe_stream(st))] += 1
    splits_known, merges = 0, 0
    t.left_over += len(lone_recs) + len(lone_streams)
    for c in sorted(conns, key=lambda c: (c.frames[0].num)):
        t.joined += 1
        t.kinds[c.kind] += 1
        if c.kind == "merge":
            merges += 1
            t.conn_diffs[t.differ(res, c.where(), "merge", describe(c.rec),
                                  "%d streams" % len(c.streams), c)] += 1
        if c.after_split:
            gap = ("%.3f s after the previous part, timeout %d s" % (
                c.split_gap_ns / NS, split_timeout_ns(c.prev_rec) // NS)
                if c.split_gap_ns is not None else "no time")
            known = t.differ(res, c.where(), "split", "a new record", gap, c)
            t.conn_diffs[known] += 1
            splits_known += known
        if compare_conn(res, c, t):
            t.all_agree += 1
    if len(res.recs) == len(direct):
        t.count_agree += 1
    elif not (len(res.recs) - len(direct) == splits_known and not merges
              and not lone_recs and not lone_streams):
        t.differ(res, "file", "connections", len(res.recs), len(direct))
    else:
        t.known_seen["count made of timeout splits"] += 1


def compare_conn(res, c, t):
    sv, tv = synscope_values(c.rec), tshark_values(c, t)
    for f in FLAGS:
        for side in SIDES:
            k = "analysis.%s.%s" % (side, f)
            t.flag_totals[f][0] += sv[k] or 0
            t.flag_totals[f][1] += tv[k]
    ok = True
    for check, fields in CHECKS.items():
        outcome = 0
        for field in fields:
            if sv[field] == tv[field]:
                t.nonzero[check] += sv[field] not in (0, None)
                continue
            if t.differ(res, c.where(), field, sv[field], tv[field], c):
                outcome = outcome or 2
            else:
                outcome = 1
        t.check[check][outcome] += 1
        ok = ok and outcome == 0
    return ok


def describe(rec):
    return "%s:%s>%s:%s@%s/%s+%spkts" % (
        rec["id.orig_h"], rec["id.orig_p"], rec["id.resp_h"],
        rec["id.resp_p"], rec["ts"], rec.get("orig_pkts"),
        rec.get("resp_pkts"))


def describe_stream(st):
    f = st.frames[0]
    return "%s:%s>%s:%s@%s/%dframes" % (f.src + f.dst + (
        "%d.%06d" % divmod(usec_of_ns(f.ns) or 0, 10**6), len(st.frames)))


# --- main -------------------------------------------------------------------

def tally(results):
    """Compares every file both tools read; sorts the others by reason."""
    t = Tally()
    for r in results:
        frames = read_frames([x for x in r.rows if "frame.number" in x])[0]
        if r.syn_status == "fail" or r.ts_status == "timeout":
            t.tool_failures.append("%s: %s" % (r.name,
                                               r.syn_note or r.ts_note))
            t.files_failed.add(r.name)
        elif r.syn_status == "unsupported":
            t.file_skips["synscope does not read the link type"].append(
                "%s (%s)" % (r.name, r.syn_note))
        elif r.ts_status == "unreadable":
            t.file_skips["tshark cannot read the file"].append(
                "%s (%s; synscope: %d records)" % (r.name, r.ts_note,
                                                   len(r.recs)))
        elif not r.recs and not frames:
            nested = [x for x in r.rows
                      if tcp_placement(x["frame.protocols"]) != "direct"]
            if nested:
                for x in nested:
                    p = tcp_placement(x["frame.protocols"])
                    t.skips["several TCP layers in one frame (tunnel)"
                            if p == "several" else
                            "TCP only inside another payload: " + p[8:]] += 1
                t.file_skips["TCP only inside tunnels or ICMP "
                             "errors"].append(r.name)
            elif r.rows:
                t.file_skips["a TCP header neither tool makes a connection "
                             "of (no tcp.stream)"].append(r.name)
            else:
                t.file_skips["no TCP for either tool"].append(r.name)
        elif r.syn_status == "readerr" and not r.recs:
            t.differ(r, "file", "connections", "cannot read it (%s)" %
                     r.syn_note, len({f.stream for f in frames}))
        else:
            compare_file(r, t)
            if r.ts_status == "partial" or r.syn_status == "readerr":
                t.read_errors.append("%s (tshark: %s; synscope: %s)" % (
                    r.name, r.ts_note or "ok", r.syn_note or "ok"))
    return t


# Skip reasons whose files are listed only with --verbose.
QUIET_SKIPS = ("no TCP for either tool",
               "synscope does not read the link type")


def pct(a, b):
    return 100.0 * a / b if b else 100.0


def report(t, verbose):
    for line in t.tool_failures:
        print("FAIL " + line)
    for known, text in t.diffs:
        if not known:
            print("DIFF  " + text)
        elif verbose:
            print("KNOWN %s [%s]" % (text, known))
    print()
    print("files: %d compared, the others skipped:" % t.files_compared)
    for reason, names in sorted(t.file_skips.items()):
        print("  %6d  %s" % (len(names), reason))
        if verbose or reason not in QUIET_SKIPS:
            for n in names:
                print("      " + n)
    if t.read_errors:
        print("  %6d  compared up to a read error" % len(t.read_errors))
        for n in t.read_errors:
            print("      " + n)
    if t.skips:
        print("TCP frames synscope does not decode (by design), not "
              "compared:")
        for reason, n in sorted(t.skips.items()):
            print("  %6d  %s" % (n, reason))
    print("connections: %d/%d files agree on the count (synscope %d "
          "records, tshark %d streams); %d records joined (%d whole "
          "streams, %d parts of split streams, %d merges), %d left over; "
          "%d split/merge/left-over differences unexplained, %d known" % (
              t.count_agree, t.files_compared, t.conns[0], t.conns[1],
              t.joined, t.kinds["whole"], t.kinds["part"], t.kinds["merge"],
              t.left_over, t.conn_diffs[0], t.conn_diffs[1]))
    if t.no_conv:
        print("  %d directions of streams without a conv,tcp row: packets "
              "counted from the frames" % t.no_conv)
    print("per check, of %d joined records: records agreeing (non-zero "
          "values among them) / differing unexplained / in known ways; flag "
          "totals synscope:tshark" % t.joined)
    for check, (a, u, k) in t.check.items():
        extra = ""
        if check in t.flag_totals:
            extra = "  total %d:%d" % tuple(t.flag_totals[check])
        print("  %-24s %5d (%4d)  %d/%d%s" % (check, a, t.nonzero[check],
                                             u, k, extra))
    if t.known_seen:
        print("known differences seen:")
        for name, reason, _ in KNOWN_DIFFERENCES:
            if t.known_seen[name]:
                print("  %5d  %s" % (t.known_seen[name], name))
        for name, n in t.known_seen.items():
            if name not in [k[0] for k in KNOWN_DIFFERENCES]:
                print("  %5d  %s" % (n, name))


def main():
    a = parse_args(__doc__, "print known differences and every skipped file")
    failed = missing_tools(a, "conn-diff")
    if failed is not None:
        return failed
    dirs = [d for d in a.dirs if os.path.isdir(d)]
    for d in a.dirs:
        if d not in dirs:
            print("note: capture folder %s is absent" % d)
    if not dirs:
        print("skipped: none of the capture folders exists")
        return EXIT_SKIP
    start = time.monotonic()
    results = [FileResult(p) for d in dirs for p in list_captures(d)]
    with tempfile.TemporaryDirectory(prefix="conn-diff.") as tmp:
        cfg = os.path.join(tmp, "wireshark")
        os.mkdir(cfg)
        env = tshark_env(cfg)
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            list(ex.map(lambda r: run_synscope(a.synscope, r), results))
        t_syn = time.monotonic() - start
        single = prepass(a.tshark, env, results, a.jobs, a.timeout, tmp)
        t_pre = time.monotonic() - start - t_syn
        single_ids = {id(r) for r in single}
        todo = [r for r in results
                if r.syn_status in ("ok", "readerr")
                and (r.recs or r.ts_tcp_hint or id(r) in single_ids)]
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            list(ex.map(lambda r: run_tshark(a.tshark, env, a.timeout, r),
                        todo))
    t_ts = time.monotonic() - start - t_syn - t_pre

    t = tally(results)
    report(t, a.verbose)
    if a.verbose:
        print("slowest tshark runs:")
        for r in sorted(todo, key=lambda r: -r.elapsed)[:5]:
            print("  %.2f s %s (%d TCP frames)" % (r.elapsed, r.name,
                                                   len(r.rows)))
    print("time: %.1f s (synscope %.1f s, tshark pre-pass %.1f s, "
          "tshark %d files %.1f s, %d jobs)" % (
              time.monotonic() - start, t_syn, t_pre, len(todo), t_ts,
              a.jobs))
    unexpl = sum(u for _, u, _ in t.check.values())
    known = sum(k for _, _, k in t.check.values())
    print("conn-diff: %d/%d connection counts, %d/%d conns agree on every "
          "field (%.2f%%; %d checks differ unexplained, %d in known ways)"
          % (t.count_agree, t.files_compared, t.all_agree, t.joined,
             pct(t.all_agree, t.joined), unexpl, known))
    failed = t.files_failed
    print("%d passed, %d failed" % (
        t.files_compared - len(failed & t.compared_names), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
