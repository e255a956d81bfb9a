#!/usr/bin/env python3
"""Differential test: synscope's per-segment text lines against tcpdump's.

Usage: tcpdump_diff.py SYNSCOPE DIR [DIR...] [--jobs N] [--timeout S] [-v]

Every capture in each DIR is read by `tcpdump -# -n -S -r F` (with --nano
where synscope prints nanoseconds) and by `synscope -r F --packets -#`, both
with TZ=UTC. synscope's text lines have tcpdump's shape by design, so the
two outputs are paired on the frame number and compared frame by frame:

  line     both printed a TCP segment: the lines must be equal once the
           by-design differences (normalise_tcpdump(), normalise_synscope())
           are taken out, and the times equal to the nanosecond;
  missing  tcpdump printed a TCP segment right behind the outermost IP
           header, synscope printed nothing;
  broken   the same, but synscope printed `tcp truncated` / `tcp malformed`;
  extra    synscope printed a TCP segment, tcpdump did not print TCP (the
           reverse check: a segment synscope invents);
  nested   tcpdump printed a TCP segment behind another header (a tunnel,
           MPLS, an ICMP error), synscope printed nothing: synscope decodes
           the outermost IP header only, by design, but each file where this
           happens is listed so that a new case is looked at.

A `line` that differs only inside `options [...]`, where every differing
option is of a kind whose printing is synscope's own (MPTCP, TFO, MD5,
TCP-AO, UTO, experimental, unknown), is counted under that kind's category
and does not fail. Every other difference fails unless KNOWN_DIFFERENCES
lists it, and the listed explanation's check accepts it; listed ones are
counted (and printed with -v).

A file whose link type synscope refuses (its "unsupported link type NAME
(N)" message, N not among the link types decode/link.c decodes) is skipped
and counted; a refusal of a link type synscope claims to decode fails.

Exit status: 0 everything agrees or is explained, 1 an unexplained
difference or a tool failure, 77 (Meson's skip) when tcpdump is not
installed or none of the given directories exists.
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time

EXIT_SKIP = 77
FILE_TIMEOUT = 30
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".ntar")

# Link types synscope decodes (decode/link.c decode_link_supported()):
# NULL, EN10MB, RAW (12, 14, 101), LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2.
SYNSCOPE_LINKTYPES = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276}

# Option kinds whose text synscope prints its own way, by design, by the
# category name the summary uses. Each pattern matches the start of one
# option as either tool prints it (tcpdump 4.99: "mptcp 12 capable v0",
# "tfo cookie", "exp-tfo cookiereq", "exp-acc0", "md5 ...", "tcp-ao keyid",
# "uto 30sec", "unknown-48 0x..."; synscope: report/packet.c text_option()).
# Order matters: tcpdump spells TFO on kind 254 "exp-tfo".
EXOTIC_OPTIONS = (
    ("MPTCP", re.compile(r"mptcp\b")),
    ("TFO", re.compile(r"(exp-)?tfo\b")),
    ("MD5", re.compile(r"md5\b")),
    ("TCP-AO", re.compile(r"(tcp-)?ao\b")),
    ("UTO", re.compile(r"uto\b")),
    ("experimental", re.compile(r"exp\b")),
    ("unknown", re.compile(r"unknown\b")),
)

# tcpdump stops printing at a bad or truncated option: it ends the option
# with one of these and prints nothing after it, not even `, length L`.
TCPDUMP_GAVE_UP = re.compile(r" ?\[(?:bad opt|\|tcp)\]$")

# tcpdump's MD5 signature option without -M carries a comma, which would
# split it in two options.
TCPDUMP_MD5_NOTE = "md5 shared secret not supplied with -M, can't check - "

# A frame's line: `-#` pads the number to 5 columns, then two spaces and
# the time of day (6 fractional digits, 9 for nanosecond files).
FRAME_LINE = re.compile(r"^ *(\d+)  (\d\d):(\d\d):(\d\d)\.(\d+) (.*)$")

# synscope's time of day with nine fractional digits.
NANO_TIME = re.compile(r"^ *\d+  \d\d:\d\d:\d\d\.\d{9} ", re.M)

# A TCP segment printed right behind the outermost IP header.
TCP_SEGMENT = re.compile(r"^IP6? \S+ > \S+: Flags \[")

# A TCP segment anywhere in a frame's text, first line or continuation
# lines (VXLAN puts the inner frame on its own line): `addr.port >
# addr.port: Flags [`, or `port > port: Flags [` behind IPv6 extension
# headers. A UDP tunnel's own `: Geneve, Flags [` does not match.
TCP_ANYWHERE = re.compile(r"(?:\S+\.)?\d+ > (?:\S+\.)?\d+: Flags \[")

# synscope's appended decode anomalies: ` [decode.tcp.checksum_bad,...]`.
ANOMALIES = re.compile(r" \[decode\.[a-z0-9_.]+(?:,decode\.[a-z0-9_.]+)*\]$")

# synscope's VLAN tags before `IP`: `vlan 200,100 `, outermost first.
VLAN_PREFIX = re.compile(r"^vlan [0-9,]+ ")

# tcpdump's Linux SLL2 prefix: the name this host gives the interface
# index, then the direction (In, B, M, P, Out, or ? for another value)
# padded to three columns: `lo In  IP ...`, `eth0 Out IP ...`.
SLL2_PREFIX = re.compile(r"^\S+ +(?:In|Out|B|M|P|\?) +(?=IP6? )")

# Where tcpdump's TCP printer stops and the application-layer printers (or
# its notes) begin: right after `length L`.
LENGTH_END = re.compile(r", length \d+")

Frame = collections.namedtuple("Frame", "ns bad_time rest raw more")


# Known differences. Each explanation carries a check that accepts the
# difference only if it is the one described, so a listed frame that later
# differs in another way fails again. A check gets both tools' frames after
# normalisation (ns, rest, raw, more) and returns True when it explains them.
Known = collections.namedtuple("Known", "reason check")


def lines_agree(td_rest, ss_rest):
    return td_rest == ss_rest or exotic_only(td_rest, ss_rest) is not None


def ae_flag_check(td, ss):
    """synscope's line with its AE letter taken out equals tcpdump's."""
    def drop_ae(m):
        letters = m.group(1).replace("e", "")
        return "Flags [%s]" % (letters or "none")
    mended = re.sub(r"Flags \[([^\]]*)\]", drop_ae, ss.rest, count=1)
    return td.ns == ss.ns and mended != ss.rest and lines_agree(td.rest,
                                                                mended)


def without_lengths(rest):
    """A TCP line without its sequence range and payload length."""
    rest = re.sub(r", seq \d+(?::\d+)?", "", rest, count=1)
    return re.sub(r", length \d+$", "", rest)


def totlen_beyond_frame_check(td, ss):
    """tcpdump 4.99.3 notes `truncated-ip - N bytes missing!` and sizes the
    segment by the IP total length; synscope clamps it to the frame and
    says decode.ipv4.totlen_long. Everything but the lengths must agree
    (the AE flag aside, which 4.99.3 does not print either)."""
    note = re.match(r"^IP truncated-ip - \d+ bytes missing! ", td.rest)
    if not note or "decode.ipv4.totlen_long" not in ss.raw:
        return False
    td_rest = without_lengths("IP " + td.rest[note.end():])
    ss_rest = without_lengths(ss.rest)
    td_mended = td._replace(rest=td_rest)
    ss_mended = ss._replace(rest=ss_rest)
    return td.ns == ss.ns and (td_rest == ss_rest or
                               ae_flag_check(td_mended, ss_mended))


def hbh_ports_check(td, ss):
    """tcpdump prints an IPv6 segment behind a hop-by-hop header as
    `IP6 a > b: HBH p > q: Flags`; as `IP6 a.p > b.q: Flags` it equals
    synscope's line."""
    m = re.match(r"^IP6 (\S+) > (\S+): HBH (\d+) > (\d+): ", td.rest)
    if not m:
        return False
    mended = "IP6 %s.%s > %s.%s: %s" % (m.group(1), m.group(3), m.group(2),
                                        m.group(4), td.rest[m.end():])
    return td.ns == ss.ns and lines_agree(mended, ss.rest)


def big_tcp_check(td, ss):
    """tcpdump 4.99.3 refuses an IP length field of 0 (`IP bad-len 0`, or
    `IP6 a > b: [|tcp]` for an IPv6 payload length of 0 without a jumbo
    option); synscope, like tcpdump's master (bigtcp-ipv4.out: "length
    80052 [was 0, presumed BIG TCP]"), sizes the packet by the frame."""
    return (td.ns == ss.ns and
            (td.rest == "IP bad-len 0" or
             re.match(r"^IP6 \S+ > \S+: \[\|tcp\]$", td.rest) is not None))


def bad_subsecond_check(td, ss):
    """Only the time differs, and tcpdump's fraction is out of range."""
    return td.bad_time and lines_agree(td.rest, ss.rest)


def option_cut_check(td, ss):
    """The capture ends inside an option: tcpdump prints the option's
    captured bytes and `[|tcp]`; synscope lists only whole options and
    flags decode.tcp.truncated. The fields before the options agree (the
    AE letter aside, which tcpdump 4.99.3 does not print)."""
    cut = td.rest.find(", options [")
    if cut < 0 or not td.rest.endswith("[|tcp]"):
        return False
    if "decode.tcp.truncated" not in ss.raw:
        return False
    ss_head = re.sub(r", length \d+.*$", "", ss.rest)
    ss_head = re.sub(r"Flags \[([^\]]*)e\]", r"Flags [\1]", ss_head)
    return td.ns == ss.ns and td.rest[:cut] == ss_head


def nested_check(td, ss):
    return ss is None


AE_FLAG = Known(
    "AE flag (bit 0x100, RFC 9768, formerly NS): synscope prints it as `e`, "
    "as tcpdump's master does (the corpus's accecn_handshake.out: `Flags "
    "[SEWe]`); tcpdump 4.99.3 does not print the bit",
    ae_flag_check)
TOTLEN_BEYOND_FRAME = Known(
    "IP total length beyond the frame: tcpdump 4.99.3 sizes the segment by "
    "it (`truncated-ip - N bytes missing!`); synscope clamps it to the "
    "frame, as tcpdump's master does (the corpus's kday4.out, frame 10: "
    "`[total length 820 > length 52] (invalid)` ... `length 0`)",
    totlen_beyond_frame_check)
HBH_PORTS = Known(
    "IPv6 with a hop-by-hop header: tcpdump prints the addresses before "
    "`HBH` and only the ports before `Flags` (also in the corpus's "
    "bigtcp-ipv6-hbh.out); synscope prints addr.port as for any segment",
    hbh_ports_check)
BIG_TCP = Known(
    "BIG TCP / TSO super-packet with an IP length field of 0: tcpdump "
    "4.99.3 prints no segment; synscope takes the length from the frame, "
    "as tcpdump's master does (the corpus's bigtcp-ipv4.out and "
    "bigtcp-ipv6.out: `presumed BIG TCP`)",
    big_tcp_check)
BAD_SUBSECOND = Known(
    "the record's sub-second field is 1 s or more: tcpdump prints it raw "
    "(`10.1000000000`), synscope carries the excess into the seconds; the "
    "TCP fields agree",
    bad_subsecond_check)
OPTION_CUT = Known(
    "the capture ends inside a TCP option: tcpdump prints the option's "
    "captured bytes then `[|tcp]`; synscope lists whole options only and "
    "reports decode.tcp.truncated",
    option_cut_check)
GENEVE = Known(
    "TCP inside Geneve (UDP 6081): tcpdump decodes the inner packet; "
    "synscope decodes the outermost IP header only, which carries UDP",
    nested_check)
VXLAN = Known(
    "TCP inside VXLAN (UDP 4789): tcpdump decodes the inner frame; "
    "synscope decodes the outermost IP header only, which carries UDP",
    nested_check)

# (file name, frame) or (file name, kind) -> Known. A (file, kind) entry
# covers every frame of that kind in the file. The "master" cited in the
# reasons is the tcpdump that wrote the corpus's .out files (its
# SOURCE-COMMIT: 39b50f76, 2026-04-29).
KNOWN_DIFFERENCES = {
    ("accecn_handshake.pcap", "line"): AE_FLAG,
    ("babel_update_oobr.pcap", 5): AE_FLAG,
    ("babel_update_oobr.pcap", 6): AE_FLAG,
    ("beep-oobr.pcap", 2): AE_FLAG,
    ("bgp-bgp_capabilities_print-oobr-1.pcap", 1): AE_FLAG,
    ("bgp-bgp_capabilities_print-oobr-2.pcap", 1): AE_FLAG,
    ("bgp_mp_reach_nlri-oobr.pcap", 1): AE_FLAG,
    ("heapoverflow-tcp_print.pcap", 1): OPTION_CUT,
    ("tcp-auth-heapoverflow.pcap", 1): OPTION_CUT,
    ("kday4.pcap", 10): TOTLEN_BEYOND_FRAME,
    ("kday7.pcap", 10): TOTLEN_BEYOND_FRAME,
    ("rpki-rtr-oobr.pcap", 1): TOTLEN_BEYOND_FRAME,
    ("bigtcp-ipv6-hbh.pcap", 1): HBH_PORTS,
    ("bigtcp-ipv4.pcap", 1): BIG_TCP,
    ("bigtcp-ipv6.pcap", 1): BIG_TCP,
    ("ipv4_tcp_http_xml_tso.pcap", 1): BIG_TCP,
    ("timestamp_invalid_micro.pcap", 2): BAD_SUBSECOND,
    ("timestamp_invalid_micro.pcap", 3): BAD_SUBSECOND,
    ("timestamp_invalid_nano.pcap", 2): BAD_SUBSECOND,
    ("timestamp_invalid_nano.pcap", 3): BAD_SUBSECOND,
    ("geneve.pcap", "nested"): GENEVE,
    ("geneve-gcp.pcap", "nested"): GENEVE,
    ("gso-ipv4-geneve-ipv4.pcap", "nested"): GENEVE,
    ("gso-ipv4-geneve-ipv6.pcap", "nested"): GENEVE,
    ("gso-ipv6-geneve-ipv4.pcap", "nested"): GENEVE,
    ("gso-ipv6-geneve-ipv6.pcap", "nested"): GENEVE,
    ("gso-ipv4-vxlan-ipv4.pcap", "nested"): VXLAN,
    ("gso-ipv4-vxlan-ipv6.pcap", "nested"): VXLAN,
    ("gso-ipv6-vxlan-ipv4.pcap", "nested"): VXLAN,
    ("gso-ipv6-vxlan-ipv6.pcap", "nested"): VXLAN,
}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("synscope", help="the synscope binary")
    ap.add_argument("dirs", nargs="+", help="directories of captures")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--timeout", type=float, default=FILE_TIMEOUT,
                    help="seconds each tool may spend on one file")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every known and exotic difference")
    return ap.parse_args()


def capture_files(dirs):
    """Capture files in each directory that exists; notes for the rest."""
    files, notes = [], []
    for d in dirs:
        if not os.path.isdir(d):
            notes.append(f"tcpdump-diff: {d}: no such directory, skipped")
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if name.endswith(CAPTURE_SUFFIXES) and os.path.isfile(path):
                files.append(path)
    return files, notes


def run_tool(argv, timeout):
    """(exit status, stdout, stderr); status None when it timed out."""
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout,
                              env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return (done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"))


def frame_lines(text, digits):
    """{frame: Frame} from -# output whose fractions have at most `digits`
    digits when the time is valid.

    A frame's line is the one that carries the next frame number, since
    both tools number every frame they read and print at most one line
    starting with it. The lines after it, up to the next frame's, are kept
    in `more`: some of tcpdump's printers (VXLAN) continue there.
    """
    firsts, more, expected, current = {}, {}, 1, None
    for line in text.split("\n"):
        m = FRAME_LINE.match(line)
        if not m or int(m.group(1)) < expected:
            if current is not None and line:
                more[current].append(line)
            continue
        current = int(m.group(1))
        firsts[current] = (m, line)
        more[current] = []
        expected = current + 1
    frames = {}
    for frame, (m, line) in firsts.items():
        h, mi, s, frac = (m.group(2), m.group(3), m.group(4), m.group(5))
        # A fraction with more digits is a corrupt sub-second field that
        # tcpdump prints raw; it must not compare equal to a valid time.
        bad_time = len(frac) > digits
        ns = ((int(h) * 3600 + int(mi) * 60 + int(s)) * 10**9
              + (-1 if bad_time else int(frac.ljust(9, "0"))))
        frames[frame] = Frame(ns, bad_time, m.group(6), line,
                              "\n".join(more[frame]))
    return frames


def normalise_tcpdump(rest, sll2):
    """tcpdump's line with its by-design differences from synscope removed."""
    if sll2:
        # Linux SLL2: tcpdump names the interface and the direction;
        # synscope prints neither.
        rest = SLL2_PREFIX.sub("", rest, count=1)
    # tcpdump appends application-layer decoding (`: HTTP: GET /`, `: BGP`)
    # and its own notes (`[|ssh]`, `[remaining caplen(24) < header
    # length(28)]`) after `length L`; synscope stops there.
    m = LENGTH_END.search(rest)
    if m:
        rest = rest[:m.end()]
    return rest


def normalise_synscope(rest):
    """synscope's line with its by-design differences from tcpdump removed."""
    # synscope shows VLAN tags before `IP`; tcpdump only with -e.
    rest = VLAN_PREFIX.sub("", rest, count=1)
    # synscope appends its decode anomalies in brackets.
    return ANOMALIES.sub("", rest, count=1)


def split_options(line):
    """(text before `options [`, list of options, text after the list), or
    (line, None, "") without options. Brackets nest (tcpdump prints
    `[bad opt]` and `[|tcp]`, synscope `[bad length N]`); tcpdump leaves the
    list unclosed when it stops at a truncated option."""
    start = line.find(", options [")
    if start < 0:
        return line, None, ""
    i = start + len(", options [")
    depth, j = 1, i
    while j < len(line) and depth:
        depth += {"[": 1, "]": -1}.get(line[j], 0)
        j += 1
    body = line[i:j - 1] if depth == 0 else line[i:]
    body = body.replace(TCPDUMP_MD5_NOTE, "md5 ")
    return line[:start], split_top_level(body), line[j:]


def split_top_level(body):
    """Options split on the commas outside brackets and braces."""
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    return items


# MPTCP subtypes (RFC 8684 3) as tcpdump 4.99 names them, by synscope's
# name (report/names.c). tcpdump 4.99.3 calls MP_TCPRST "unknown".
MPTCP_SUBTYPES = {
    "capable": "mp_capable", "join": "mp_join", "dss": "dss",
    "add-addr": "add_addr", "rem-addr": "remove_addr", "prio": "mp_prio",
    "fail": "mp_fail", "fast-close": "mp_fastclose", "tcprst": "mp_tcprst",
    "unknown": "mp_tcprst",
}


def exotic_agrees(category, td_opt, ss_opt):
    """False when an exotic option's text shows the tools disagree on what
    it is, beyond how they print it: another MPTCP subtype, another TFO
    cookie. Other kinds are printed too differently to tell."""
    if category == "MPTCP":
        td_sub = re.match(r"mptcp \d+ ([a-z-]+)", td_opt)
        ss_sub = re.match(r"mptcp ([a-z_]+)$", ss_opt)
        if td_sub and ss_sub:
            return MPTCP_SUBTYPES.get(td_sub.group(1)) == ss_sub.group(1)
    if category == "TFO" and not TCPDUMP_GAVE_UP.search(td_opt):
        return td_opt.replace("exp-tfo", "tfo", 1) == ss_opt
    return True


def exotic_category(option):
    for category, pattern in EXOTIC_OPTIONS:
        if pattern.match(option):
            return category
    return None


def exotic_only(td_line, ss_line):
    """The set of exotic-option categories when the two lines differ only
    in options of exotic kinds, else None."""
    td_head, td_opts, td_tail = split_options(td_line)
    ss_head, ss_opts, ss_tail = split_options(ss_line)
    if td_head != ss_head or td_opts is None or ss_opts is None:
        return None
    gave_up = TCPDUMP_GAVE_UP.search(td_opts[-1])
    if gave_up and td_tail == "" and len(ss_opts) >= len(td_opts):
        # tcpdump stopped at this option and printed nothing after it;
        # synscope's options beyond it and its `, length L` have nothing
        # to be compared with. The option tcpdump stopped at must differ
        # in an exotic way like any other.
        td_opts[-1] = td_opts[-1][:gave_up.start()]
        ss_opts = ss_opts[:len(td_opts)]
        if exotic_category(td_opts[-1]) is None and \
                exotic_category(ss_opts[-1]) is None:
            return None
        td_opts[-1] += gave_up.group(0)
    elif td_tail != ss_tail or len(td_opts) != len(ss_opts):
        return None
    categories = set()
    for td_opt, ss_opt in zip(td_opts, ss_opts):
        if td_opt == ss_opt:
            continue
        category = exotic_category(td_opt) or exotic_category(ss_opt)
        if category is None or not exotic_agrees(category, td_opt, ss_opt):
            return None
        categories.add(category)
    return categories or None


def refused_link_type(stderr):
    """The link type number synscope refused, or None."""
    m = re.search(r"unsupported link type .* \((\d+)\);", stderr)
    return int(m.group(1)) if m else None


class FileResult:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.segments = 0         # frames where either tool printed TCP
        self.identical = 0
        self.exotic = []          # (frame, categories, td raw, ss raw)
        self.known = []           # (frame, kind, Known, td raw, ss raw)
        self.known_keys = set()   # KNOWN_DIFFERENCES keys that matched
        self.unexplained = []     # (frame, kind, td raw, ss raw)
        self.skipped = None       # why the whole file was not compared
        self.error = None         # a tool failure

    @property
    def failed(self):
        return bool(self.unexplained or self.error)


def compare_file(job):
    path, synscope, timeout = job
    res = FileResult(path)
    ss_status, ss_out, ss_err = run_tool(
        [synscope, "-r", path, "--packets", "-#"], timeout)
    # synscope prints nine fractional digits for a nanosecond file, which
    # tcpdump does with --nano only. Not on microsecond files: libpcap's
    # scaling to nanoseconds wraps a corrupt sub-second field in 32 bits,
    # which would hide synscope's wrap of the same field.
    td_argv = ["tcpdump", "-#", "-n", "-S", "-r", path]
    nano = NANO_TIME.search(ss_out) is not None
    if nano:
        td_argv.insert(1, "--nano")
    td_status, td_out, td_err = run_tool(td_argv, timeout)
    if td_status is None or ss_status is None:
        res.error = "%s timed out after %gs" % (
            "tcpdump" if td_status is None else "synscope", timeout)
        return res
    if ss_status != 0:
        linktype = refused_link_type(ss_err)
        if linktype is not None and linktype not in SYNSCOPE_LINKTYPES:
            res.skipped = "link type synscope does not decode"
            return res
        res.error = "synscope exited %d: %s" % (ss_status,
                                                ss_err.strip()[:200])
        return res
    if td_status != 0 and not td_out:
        res.error = "tcpdump exited %d: %s" % (td_status,
                                               td_err.strip()[:200])
        return res
    sll2 = "link-type LINUX_SLL2" in td_err
    # Times compare as nanoseconds of the day, so synscope's six digits
    # for a microsecond interface of a pcapng that also has a nanosecond
    # one still compare with tcpdump's nine.
    td_frames = frame_lines(td_out, 9 if nano else 6)
    ss_frames = frame_lines(ss_out, 9)
    for frame in sorted(set(td_frames) | set(ss_frames)):
        td, ss = td_frames.get(frame), ss_frames.get(frame)
        if td:
            td = td._replace(rest=normalise_tcpdump(td.rest, sll2))
        if ss:
            ss = ss._replace(rest=normalise_synscope(ss.rest))
        compare_frame(res, frame, td, ss)
    return res


def frame_kind(td, ss):
    """How the two tools' views of one frame relate, or None when neither
    printed a TCP segment (non-TCP frames, and headers both find broken)."""
    td_direct = td is not None and TCP_SEGMENT.match(td.rest) is not None
    # The whole text, not the normalised line: a tunnel's own `, length L`
    # (`GREv0, length 52: IP ...`) comes before the inner segment.
    td_any = td is not None and (TCP_ANYWHERE.search(td.raw) is not None
                                 or TCP_ANYWHERE.search(td.more) is not None)
    ss_tcp = ss is not None and ": Flags [" in ss.rest
    if ss_tcp:
        return "line" if td_any else "extra"
    if td_direct:
        return "broken" if ss else "missing"
    if td_any:
        return "nested" if ss is None else "broken"
    return None


def known_for(name, frame, kind):
    """(Known, its key) listed for this frame, or (None, None)."""
    for key in ((name, frame), (name, kind)):
        if key in KNOWN_DIFFERENCES:
            return KNOWN_DIFFERENCES[key], key
    return None, None


def compare_frame(res, frame, td, ss):
    kind = frame_kind(td, ss)
    if kind is None:
        return
    res.segments += 1
    td_raw = td.raw if td else "(no line)"
    ss_raw = ss.raw if ss else "(no line)"
    if kind == "line" and td.ns == ss.ns:
        if td.rest == ss.rest:
            res.identical += 1
            return
        categories = exotic_only(td.rest, ss.rest)
        if categories:
            res.exotic.append((frame, categories, td_raw, ss_raw))
            return
    known, key = known_for(res.name, frame, kind)
    if known is not None and known.check(td, ss):
        res.known.append((frame, kind, known, td_raw, ss_raw))
        res.known_keys.add(key)
        return
    res.unexplained.append((frame, kind, td_raw, ss_raw))


def main():
    args = parse_args()
    if shutil.which("tcpdump") is None:
        print("tcpdump-diff: tcpdump not found in PATH, skipping")
        return EXIT_SKIP
    files, notes = capture_files(args.dirs)
    for note in notes:
        print(note)
    if len(notes) == len(args.dirs):
        print("tcpdump-diff: none of the given directories exists, "
              "skipping")
        return EXIT_SKIP
    synscope = os.path.abspath(args.synscope)
    if not os.access(synscope, os.X_OK):
        print(f"tcpdump-diff: {synscope}: not an executable")
        return 1
    started = time.monotonic()
    jobs = [(f, synscope, args.timeout) for f in files]
    # Threads suffice: the work is in the two child processes per file.
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(compare_file, jobs))
    return report(results, time.monotonic() - started, args.verbose)


def print_pair(head, td, ss):
    print(head)
    print(f"  tcpdump:  {td}")
    print(f"  synscope: {ss}")


def report(results, elapsed, verbose):
    segments = identical = tcp_files = passed = failed = 0
    exotic = collections.Counter()
    known = collections.Counter()
    skipped = collections.Counter()
    matched_keys = set()
    for res in results:
        if res.skipped:
            skipped[res.skipped] += 1
        if res.error:
            print(f"FAIL {res.name}: {res.error}")
        for frame, kind, td, ss in res.unexplained:
            print_pair(f"FAIL {res.name} frame {frame} ({kind}):", td, ss)
        for frame, kind, why, td, ss in res.known:
            known[why.reason] += 1
            if verbose:
                print_pair(f"known {res.name} frame {frame} ({kind}): "
                           f"{why.reason}", td, ss)
        for frame, categories, td, ss in res.exotic:
            category = " + ".join(sorted(categories))
            exotic[category] += 1
            if verbose:
                print_pair(f"exotic {res.name} frame {frame}: {category}",
                           td, ss)
        matched_keys |= res.known_keys
        segments += res.segments
        identical += res.identical
        tcp_files += 1 if res.segments else 0
        if res.failed:
            failed += 1
        else:
            passed += 1
    compared = {r.name for r in results}
    for key in sorted(set(KNOWN_DIFFERENCES) - matched_keys, key=str):
        # A stale entry does not fail: a newer tcpdump may have caught up.
        if key[0] in compared:
            print(f"note: known difference {key} did not occur")
    for why, n in sorted(skipped.items()):
        print(f"  files skipped, {why}: {n}")
    for category, n in sorted(exotic.items()):
        print(f"  segments differing only in exotic options, {category}: "
              f"{n}")
    for why, n in sorted(known.items()):
        print(f"  known difference, {n} segments: {why}")
    n_exotic = sum(exotic.values())
    detail = ", ".join(f"{c} {n}" for c, n in sorted(exotic.items()))
    n_known = sum(known.values())
    print(f"tcpdump-diff: {identical}/{segments} segments identical, "
          f"{n_exotic} differ only in exotic options"
          + (f" ({detail})" if detail else "")
          + f", {n_known} known differences, over {tcp_files} files"
          + f" ({elapsed:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
