#!/usr/bin/env python3
"""Differential test: synscope's TCP decoding against tshark's.

Usage: tshark_diff.py --synscope BIN [--jobs N] [--timeout S] [-v] [DIR...]

Every capture in each DIR (default: ../shared/corpus/tcpdump next to the
source root) is read by `synscope --packets=json` and by tshark. The two are
joined on the frame number and every TCP segment is compared field by field:
ports, raw seq/ack, the 12-bit flags, the raw window, header and payload
lengths, and the MSS, window scale, SACK-permitted, SACK block and timestamp
options (every occurrence, in order). The frame time stamps are compared
too: they prove that both tools count frames the same way.

What is compared, and why the rest is not:
  - a frame where tshark sees exactly one TCP layer, carried directly by the
    outermost IP header (IPv6 extension headers and AH may sit between);
  - a frame where synscope printed a record and tshark saw no TCP at all (a
    segment synscope invents is a failure).
Skipped, each counted under its reason: frames with several TCP layers;
frames whose only TCP layer sits inside a tunnel or an ICMP error (synscope
decodes the outermost IP header only, by design) when synscope printed
nothing for them; files tshark cannot read; files whose link type synscope
refuses with its "unsupported link type" message (checked against the link
types decode/link.c lists, so a wrongly refused Ethernet file still fails).

tshark is told to use raw sequence numbers (SACK edges included), not to
analyse or reassemble streams, not to defragment IP (synscope decodes the TCP
header in the first fragment), and to hand every TCP payload to the "data"
dissector, so no application dissector runs or nests a second TCP layer.

A disagreement fails the test unless KNOWN_DIFFERENCES lists it with its
reason; listed ones are printed and counted but do not fail.

A file synscope cannot read at all fails once, as a whole, when tshark
finds TCP in it.

Speed: tshark costs ~0.3 s to start. Files where synscope finds no TCP are
concatenated with mergecap into one pcapng per worker and dissected by one
tshark each, its interface ids mapped back to the files; only files that
hold TCP for either tool (or that mergecap cannot take) get their own run.

Exit status: 0 all agree (or only known differences), 1 a disagreement or a
tool failure, 77 (Meson's skip) when tshark or a corpus folder is absent.
"""

import concurrent.futures
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

# (file name, frame, field) -> why synscope and tshark differ there, and
# which of the two is right. Field is one of FIELDS' names ("ts" is the
# frame time, checked to prove the join), "segment" (one tool has a TCP
# segment the other has not), "error" (synscope could not decode a header
# tshark decoded), or "file" with frame 0 (synscope could not read a file
# in which tshark finds TCP).
FRAGMENT_LEN = ("IPv4 first fragment (MF set, offset 0): tshark gives no "
                "tcp.len for any IP fragment (packet-tcp.c dissect_tcp(): "
                "only `if (!pinfo->fragmented ...)`), the segment's length "
                "being unknown; synscope reports the bytes this fragment "
                "carries, like tcpdump, with anomaly decode.ipv4.fragment")
BAD_SUBSECOND = ("the pcap record's sub-second field is 1 s or more, so "
                 "the time stamp is invalid: synscope normalises it, "
                 "carrying whole seconds (capture/capture.c); tshark "
                 "does not (it prints 10 fraction digits, a negative "
                 "time, or 2^31 us wrapped to 0 by a 32-bit multiply); "
                 "tcpdump prints it raw, marked \"(invalid us)\"; the TCP "
                 "fields agree")
KNOWN_DIFFERENCES = {
    ("bgp-bgp_capabilities_print-oobr-1.pcap", 1, "len"): FRAGMENT_LEN,
    ("bgp-bgp_capabilities_print-oobr-2.pcap", 1, "len"): FRAGMENT_LEN,
    ("bgp_pmsi_tunnel-oobr.pcap", 1, "len"): FRAGMENT_LEN,
    ("rpki-rtr-oobr.pcap", 1, "len"): FRAGMENT_LEN,
    ("timestamp_invalid_micro.pcap", 2, "ts"): BAD_SUBSECOND,
    ("timestamp_invalid_micro.pcap", 3, "ts"): BAD_SUBSECOND,
    ("timestamp_invalid_nano.pcap", 2, "ts"): BAD_SUBSECOND,
    ("timestamp_invalid_nano.pcap", 3, "ts"): BAD_SUBSECOND,
}

TSHARK_PREFS = [
    "tcp.relative_sequence_numbers:FALSE",
    "tcp.analyze_sequence_numbers:FALSE",
    "tcp.desegment_tcp_streams:FALSE",
    "tcp.calculate_timestamps:FALSE",
    "tcp.try_heuristic_first:FALSE",
    "ip.defragment:FALSE",
    "ipv6.defragment:FALSE",
    # An IP length of 0 is a TSO/GSO or BIG TCP super-packet sized by the
    # wire, as tcpdump and synscope read it (decode/ipv4.c, ipv6.c); tshark
    # does so by default for IPv4 only.
    "ip.tso_support:TRUE",
    "ipv6.tso_support:TRUE",
]

# Our name, tshark field. A scalar compares one value; a list compares every
# occurrence of the option in header order.
SCALARS = [
    ("sport", "tcp.srcport"),
    ("dport", "tcp.dstport"),
    ("seq", "tcp.seq_raw"),
    ("ack", "tcp.ack_raw"),
    ("tcp_flags", "tcp.flags"),
    ("win", "tcp.window_size_value"),
    ("hlen", "tcp.hdr_len"),
    ("len", "tcp.len"),
]
LISTS = [
    ("mss", "tcp.options.mss_val"),
    ("wscale", "tcp.options.wscale.shift"),
    ("sackok", "tcp.options.sack_perm"),
    ("sack_le", "tcp.options.sack_le"),
    ("sack_re", "tcp.options.sack_re"),
    ("tsval", "tcp.options.timestamp.tsval"),
    ("tsecr", "tcp.options.timestamp.tsecr"),
]
TSHARK_FIELDS = (["frame.number", "frame.protocols", "frame.time_epoch"] +
                 [f for _, f in SCALARS] + [f for _, f in LISTS])
FIELDS = ["ts"] + [n for n, _ in SCALARS] + ["mss", "wscale", "sackok",
                                            "sack", "tsval", "tsecr"]




class FileResult:
    """Everything learnt about one capture file."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.syn_status = None      # ok, readerr, unsupported, fail
        self.syn_note = ""
        self.syn = {}               # frame -> record
        self.ts_status = None       # ok, partial, unreadable, timeout
        self.ts_note = ""
        self.ts = {}                # frame -> tshark row (every frame)
        self.ts_tcp_hint = None     # from the batched pre-pass
        self.elapsed = 0.0


def run_synscope(binary, res):
    rc, out, err = run([binary, "--packets=json", "-r", res.path],
                       SYNSCOPE_TIMEOUT)
    lines = err.decode("utf-8", "replace").splitlines()
    sanitizer = [l for l in lines if re.search(
        r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer", l)]
    if sanitizer:
        res.syn_status = "fail"
        res.syn_note = "sanitizer report: " + sanitizer[0]
        return
    if rc == "timeout" or rc not in (0, 1):
        res.syn_status = "fail"
        res.syn_note = "synscope exited %s: %s" % (rc, " | ".join(lines[:3]))
        return
    for n, line in enumerate(out.decode("utf-8", "replace").splitlines(), 1):
        try:
            # parse_float keeps the time stamp's digits exact
            rec = json.loads(line, parse_float=str)
            frame = rec["frame"]
        except (ValueError, KeyError, TypeError) as e:
            res.syn_status = "fail"
            res.syn_note = "bad JSON on line %d (%s): %.120s" % (n, e, line)
            return
        if frame in res.syn:
            res.syn_status = "fail"
            res.syn_note = "frame %d printed twice" % frame
            return
        res.syn[frame] = rec
    read_status(res, rc, lines, bool(res.syn))


def parse_tshark(out):
    rows = {}
    for line in out.decode("utf-8", "replace").splitlines():
        cols = line.split("\t")
        if len(cols) < len(TSHARK_FIELDS):
            cols += [""] * (len(TSHARK_FIELDS) - len(cols))
        try:
            frame = int(cols[0])
        except ValueError:
            continue
        rows[frame] = dict(zip(TSHARK_FIELDS, cols))
    return rows


def run_tshark(tshark, env, timeout, res):
    t0 = time.monotonic()
    rc, out, err = run(tshark_cmd(tshark, res.path, TSHARK_FIELDS,
                                  TSHARK_PREFS), timeout,
                       env)
    if rc == "timeout":
        res.ts_status = "timeout"
        res.ts_note = "tshark timed out after %d s" % timeout
        return
    res.elapsed = time.monotonic() - t0
    res.ts = parse_tshark(out)
    note = " | ".join(err_lines(err)[:2])
    if rc == 0:
        res.ts_status = "ok"
    elif res.ts:
        res.ts_status = "partial"       # read some frames, then an error
        res.ts_note = note
    else:
        res.ts_status = "unreadable"
        res.ts_note = note or "tshark exited %s" % rc


# --- batched pre-pass: which files hold TCP for tshark? ---------------------

def prepass(tshark, mergecap_bin, env, results, jobs, timeout, tmp):
    """Sets ts_tcp_hint on files synscope found no TCP in; returns the files
    that could not be batched (they get a tshark run of their own)."""
    cand = [r for r in results if not r.syn and r.syn_status != "fail"]
    chains, single = tcp_chains(
        lambda path, fields, flt: tshark_cmd(tshark, path, fields,
                                             TSHARK_PREFS, flt),
        mergecap_bin, env, [r.path for r in cand], jobs, timeout, tmp)
    by_path = {r.path: r for r in cand}
    for path, ch in chains.items():
        by_path[path].ts_tcp_hint = bool(ch)   # any frame matching "tcp"
    single = set(single)
    return [r for r in cand if r.path in single]


# --- comparison -------------------------------------------------------------

def ints(text, base=10):
    return [int(v, base) for v in text.split(",")] if text else []


def ts_value(text):
    """Nanoseconds of a "SEC.FRACTION" time stamp; the text itself when it
    is not one, so that two odd texts are compared (and shown) as they are
    rather than both becoming None and agreeing."""
    ns = epoch_ns(text)
    return text if ns is None else ns


def tshark_values(row):
    """Our field name -> value, None where tshark has no such field."""
    v = {"ts": ts_value(row["frame.time_epoch"])}
    for name, f in SCALARS:
        vals = ints(row[f], 0)
        v[name] = vals[0] if len(vals) == 1 else (vals or None)
    v["mss"] = ints(row["tcp.options.mss_val"])
    v["wscale"] = ints(row["tcp.options.wscale.shift"])
    v["sackok"] = len(row["tcp.options.sack_perm"].split(",")) \
        if row["tcp.options.sack_perm"] else 0
    le = ints(row["tcp.options.sack_le"])
    re_ = ints(row["tcp.options.sack_re"])
    v["sack"] = [list(b) for b in zip(le, re_)]
    if len(le) != len(re_):
        v["sack"].append(["unpaired"])
    v["tsval"] = ints(row["tcp.options.timestamp.tsval"])
    v["tsecr"] = ints(row["tcp.options.timestamp.tsecr"])
    return v


def synscope_values(rec):
    v = {name: rec.get(name) for name, _ in SCALARS}
    v["ts"] = ts_value(str(rec.get("ts")))
    opts = rec.get("options", [])
    good = [o for o in opts if not o.get("bad")]
    v["mss"] = [o["mss"] for o in good if "mss" in o]
    v["wscale"] = [o["wscale"] for o in good if "wscale" in o]
    v["sackok"] = sum(1 for o in opts if o.get("kind") == 4)
    v["sack"] = [list(b) for o in good if "sack" in o for b in o["sack"]]
    v["tsval"] = [o["tsval"] for o in good if "tsval" in o]
    v["tsecr"] = [o["tsecr"] for o in good if "tsecr" in o]
    return v


class Tally:
    def __init__(self):
        self.files_compared = 0
        self.files_failed = []
        self.segments = 0
        self.agree = 0
        self.known_only = 0
        self.field_diffs = {f: [0, 0] for f in FIELDS + ["segment", "error"]}
        self.skips = {}             # reason -> frames
        self.file_skips = {}        # reason -> [file]
        self.diffs = []             # (known reason or None, text)
        self.known_seen = set()
        self.compared_names = set()
        self.read_errors = []
        self.both_broken = 0
        self.values = {f: 0 for f in FIELDS}    # agreeing non-empty values

    def skip(self, reason, n=1):
        self.skips[reason] = self.skips.get(reason, 0) + n

    def skip_file(self, reason, name):
        self.file_skips.setdefault(reason, []).append(name)

    def differ(self, res, frame, field, syn, ts, bad):
        key = (res.name, frame, field)
        known = KNOWN_DIFFERENCES.get(key)
        self.field_diffs[field][1 if known else 0] += 1
        text = "%s frame %d %s: synscope=%s tshark=%s" % (
            res.name, frame, field, fmt(syn), fmt(ts))
        if known:
            self.known_seen.add(key)
        else:
            bad.add(res.name)
        self.diffs.append((known, text))
        return known is not None


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"))


def compare_file(res, t):
    """Compares one file's frames and adds them to the tally."""
    bad = set()
    t.files_compared += 1
    t.compared_names.add(res.name)
    tcp_frames = {f for f, r in res.ts.items()
                  if "tcp" in r["frame.protocols"].split(":")}
    frames = sorted(set(res.syn) | tcp_frames)
    last_ts = max(res.ts) if res.ts else 0
    for frame in frames:
        rec = res.syn.get(frame)
        row = res.ts.get(frame)
        if row is None:
            if res.ts_status == "partial" and frame > last_ts:
                t.skip("after the frame where tshark stopped reading")
                continue
            place = "none"
        else:
            place = tcp_placement(row["frame.protocols"])
        if place == "several":
            t.skip("several TCP layers in one frame (tunnel)")
            continue
        if place.startswith("nested") and rec is None:
            t.skip("TCP only inside another payload, synscope decodes the "
                   "outermost IP header: " + place[8:])
            continue
        if place == "none" and rec is not None and "error" in rec:
            t.skip("synscope: TCP header %s; tshark: no TCP layer" %
                   rec["error"])
            continue
        t.segments += 1
        outcome = compare_segment(res, frame, rec, row, place, t, bad)
        if outcome == "agree":
            t.agree += 1
        elif outcome == "known":
            t.known_only += 1
    if bad:
        t.files_failed.append(res.name)


def compare_segment(res, frame, rec, row, place, t, bad):
    if rec is None or place != "direct":
        if rec is None:
            syn = "no record"
        else:
            syn = "error " + rec["error"] if "error" in rec else "a segment"
        if row is None:
            ts = "no such frame"
        elif place == "none":
            ts = "no TCP layer (%s)" % row["frame.protocols"]
        else:
            ts = {"direct": "a segment"}.get(place, "TCP only " + place)
        known = t.differ(res, frame, "segment", syn, ts, bad)
        return "known" if known else "differ"
    tv = tshark_values(row)
    if "error" in rec:
        if any(tv[n] is None for n, _ in SCALARS):
            t.both_broken += 1      # both found the header broken
            return "agree"
        known = t.differ(res, frame, "error", rec["error"], "decoded", bad)
        return "known" if known else "differ"
    sv = synscope_values(rec)
    outcomes = []
    for field in FIELDS:
        ts_val = tv[field]
        if sv[field] != ts_val:
            outcomes.append(t.differ(res, frame, field, sv[field], ts_val,
                                     bad))
        elif ts_val not in ([], 0, None):
            t.values[field] += len(ts_val) if isinstance(ts_val, list) else 1
    if not outcomes:
        return "agree"
    return "known" if all(outcomes) else "differ"


# --- main -------------------------------------------------------------------

def main():
    a = parse_args(__doc__, "list the files of every skip reason")
    failed = missing_tools(a, "tshark-diff")
    if failed is not None:
        return failed
    for d in a.dirs:
        if not os.path.isdir(d):
            print("skipped: capture folder %s is absent" % d)
            return EXIT_SKIP
    start = time.monotonic()
    results = [FileResult(p) for d in a.dirs for p in list_captures(d)]
    with tempfile.TemporaryDirectory(prefix="tshark-diff.") as tmp:
        cfg = os.path.join(tmp, "wireshark")
        os.mkdir(cfg)
        env = tshark_env(cfg)
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            list(ex.map(lambda r: run_synscope(a.synscope, r), results))
        t_syn = time.monotonic() - start
        single = prepass(a.tshark, shutil.which("mergecap"), env, results,
                         a.jobs, a.timeout, tmp)
        t_pre = time.monotonic() - start - t_syn
        single_ids = {id(r) for r in single}
        todo = [r for r in results
                if r.syn_status in ("ok", "readerr")
                and (r.syn or r.ts_tcp_hint or id(r) in single_ids)]
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            list(ex.map(lambda r: run_tshark(a.tshark, env, a.timeout, r),
                        todo))
    t_ts = time.monotonic() - start - t_syn - t_pre

    t, tool_failures = tally(results)
    report(t, tool_failures, results, a.verbose)
    if a.verbose:
        print("slowest tshark runs:")
        for r in sorted(todo, key=lambda r: -r.elapsed)[:5]:
            print("  %.2f s %s (%d frames)" % (r.elapsed, r.name, len(r.ts)))
    elapsed = time.monotonic() - start
    print("time: %.1f s (synscope %.1f s, tshark pre-pass %.1f s, "
          "tshark %d files %.1f s, %d jobs)" % (elapsed, t_syn, t_pre,
                                               len(todo), t_ts, a.jobs))
    pct = 100.0 * t.agree / t.segments if t.segments else 100.0
    print("tshark-diff: %d/%d segments agree (%.2f%%) over %d files" % (
        t.agree, t.segments, pct, t.files_compared))
    failed = set(t.files_failed)
    passed = t.files_compared - len(failed & t.compared_names)
    print("%d passed, %d failed" % (passed, len(failed)))
    return 1 if failed else 0


def tally(results):
    """Compares every file both tools read; sorts the others by reason."""
    t = Tally()
    tool_failures = []
    for r in results:
        if r.syn_status == "fail" or r.ts_status == "timeout":
            tool_failures.append("%s: %s" % (r.name, r.syn_note or r.ts_note))
            t.files_failed.append(r.name)
        elif r.syn_status == "unsupported":
            hint = {True: "tshark sees TCP", False: "tshark sees no TCP",
                    None: "tshark could not say"}[r.ts_tcp_hint]
            t.skip_file("synscope does not read the link type; " + hint,
                        "%s (%s)" % (r.name, r.syn_note))
        elif r.ts_status is None:
            t.skip_file("no TCP for either tool", r.name)
        elif r.ts_status == "unreadable":
            t.skip_file("tshark cannot read the file",
                        "%s (%s; synscope: %d records)" % (
                            r.name, r.ts_note, len(r.syn)))
        elif r.syn_status == "readerr" and not r.syn:
            # libpcap refused a file wiretap reads: one failure for the
            # file, not one per segment
            key = (r.name, 0, "file")
            tcp = sum(1 for x in r.ts.values()
                      if "tcp" in x["frame.protocols"].split(":"))
            text = "%s: synscope cannot read it (%s); tshark reads %d " \
                "frames, %d with TCP" % (r.name, r.syn_note, len(r.ts), tcp)
            if not tcp:
                t.skip_file("synscope cannot read the file; tshark finds "
                            "no TCP in it", "%s (%s)" % (r.name, r.syn_note))
            elif key in KNOWN_DIFFERENCES:
                t.known_seen.add(key)
                t.diffs.append((KNOWN_DIFFERENCES[key], text))
            else:
                tool_failures.append(text)
                t.files_failed.append(r.name)
        else:
            compare_file(r, t)
            if r.ts_status == "partial" or r.syn_status == "readerr":
                t.read_errors.append("%s (tshark: %s; synscope: %s)" % (
                    r.name, r.ts_note or "ok", r.syn_note or "ok"))
    return t, tool_failures


# Skip reasons whose files are listed only with --verbose: they are many and
# say nothing about decoding.
QUIET_SKIPS = ("no TCP for either tool",
               "synscope does not read the link type; tshark sees no TCP")


def report(t, tool_failures, results, verbose):
    for line in tool_failures:
        print("FAIL " + line)
    for known, text in t.diffs:
        if known:
            print("KNOWN %s\n      %s" % (text, known))
        else:
            print("DIFF  " + text)
    for key in sorted(set(KNOWN_DIFFERENCES) - t.known_seen):
        if any(r.name == key[0] for r in results):
            print("note: known difference no longer seen: %s frame %s %s"
                  % key)
    print()
    print("files: %d read, %d compared, the others skipped:" % (
        len(results), t.files_compared))
    for reason, names in sorted(t.file_skips.items()):
        print("  %6d  %s" % (len(names), reason))
        if verbose or reason not in QUIET_SKIPS:
            for n in names:
                print("      " + n)
    if t.read_errors:
        print("  %6d  compared up to a read error" % len(t.read_errors))
        for n in t.read_errors:
            print("      " + n)
    print("frames skipped:")
    for reason, n in sorted(t.skips.items()):
        print("  %6d  %s" % (n, reason))
    print("segments: %d compared, %d agree on every field, %d differ only "
          "in known ways, %d differ" % (t.segments, t.agree, t.known_only,
                                        t.segments - t.agree - t.known_only))
    if t.both_broken:
        print("  of the agreeing, %d are headers both tools found broken"
              % t.both_broken)
    print("per field: values agreeing (non-zero/non-empty ones), "
          "disagreements unexplained/known:")
    for f, (u, k) in t.field_diffs.items():
        print("  %-10s %6s  %d/%d" % (f, t.values.get(f, ""), u, k))


if __name__ == "__main__":
    sys.exit(main())
