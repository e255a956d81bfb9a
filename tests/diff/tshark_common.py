"""Helpers shared by the differential tests that run tshark on a corpus.

Running a command with a timeout, an empty tshark configuration, where a
frame's TCP layer sits (synscope decodes TCP right on the outermost IP
header only), synscope's "unsupported link type" message, and the batched
pre-pass: files are concatenated with mergecap into one pcapng per worker
so that one tshark run lists the TCP frames of many files, each frame's
interface id telling which file it came from. tshark costs ~0.3 s to
start, so this is what keeps a corpus of a thousand small files fast.

tshark_diff.py and conn_diff.py both use this module.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import struct
import subprocess

EXIT_SKIP = 77                  # Meson's "skipped"
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")

# Link types synscope decodes (decode/link.c decode_link_supported()).
SYNSCOPE_LINKTYPES = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276}

# Layers that may stand between the outermost IP header and TCP.
IP_LAYERS = ("ip", "ipv6")
IP_EXT_LAYERS = ("ah",)


def run(cmd, timeout, env=None):
    """(returncode or "timeout", stdout, stderr) of a command."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timeout", b"", b""
    return p.returncode, p.stdout, p.stderr


def tshark_env(cfgdir):
    """The environment for tshark: an empty personal configuration in
    `cfgdir`, so the user's own preferences or disabled protocols do not
    change what is compared, and the C locale."""
    env = dict(os.environ)
    env["WIRESHARK_CONFIG_DIR"] = cfgdir
    env["LC_ALL"] = "C"
    return env


def err_lines(stderr):
    """stderr lines worth showing: tshark's root warning is not one."""
    return [l for l in stderr.decode("utf-8", "replace").splitlines()
            if l.strip() and not l.startswith("Running as user")]


def list_captures(d):
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if n.endswith(CAPTURE_SUFFIXES)
                  and os.path.isfile(os.path.join(d, n)))


def unsupported_linktype(stderr_lines):
    """"NAME (N)" when synscope refused the file's link type and N is not
    one synscope claims to decode (then a refusal is a failure); else
    None."""
    m = re.search(r"unsupported link type (.*?) \((\d+)\)",
                  " ".join(stderr_lines))
    if m and int(m.group(2)) not in SYNSCOPE_LINKTYPES:
        return "%s (%s)" % (m.group(1), m.group(2))
    return None


def read_status(res, rc, stderr_lines, have_records):
    """Sets res.syn_status/res.syn_note once synscope's output was read
    without a bad line: "ok" on exit 0; "unsupported" when it refused a
    link type it does not claim and printed nothing; else "readerr" with
    its first error lines."""
    if rc == 0:
        res.syn_status = "ok"
        return
    refused = unsupported_linktype(stderr_lines)
    if refused and not have_records:
        res.syn_status = "unsupported"
        res.syn_note = "link type " + refused
    else:
        res.syn_status = "readerr"
        res.syn_note = " | ".join(stderr_lines[:2])


def tcp_placement(chain):
    """Where the TCP layer of a frame.protocols chain sits: 'none',
    'several', 'direct' (on the outermost IP header, which synscope
    decodes) or 'nested: X' (inside a tunnel or an ICMP error)."""
    layers = chain.split(":") if chain else []
    n = layers.count("tcp")
    if n == 0:
        return "none"
    if n > 1:
        return "several"
    i = layers.index("tcp")
    ips = [j for j in range(i) if layers[j] in IP_LAYERS]
    if len(ips) == 1 and all(l.startswith("ipv6.") or l in IP_EXT_LAYERS
                             for l in layers[ips[0] + 1:i]):
        return "direct"
    start = ips[0] if ips else 0
    return "nested: " + ":".join(layers[start:i + 1])


def epoch_ns(text):
    """Nanoseconds of a "SEC.FRACTION" text; None when it is not one (an
    invalid time stamp can make tshark print 10 fraction digits)."""
    m = re.fullmatch(r"(-?)(\d+)(?:\.(\d{1,9}))?", text or "")
    if not m:
        return None
    ns = int(m.group(2)) * 10**9 + int((m.group(3) or "").ljust(9, "0"))
    return -ns if m.group(1) else ns


# --- the batched pre-pass ---------------------------------------------------

PCAP_MAGICS = {b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d",
               b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xcd\x34", b"\x34\xcd\xb2\xa1"}
PCAPNG_SHB = 0x0A0D0D0A


def pcapng_idb_count(data):
    """Interface description blocks in a pcapng byte string; None if the
    block structure is not clean (then the file is not batched)."""
    off, count, endian = 0, 0, None
    while off < len(data):
        if len(data) - off < 12:
            return None
        if struct.unpack_from("<I", data, off)[0] == PCAPNG_SHB:
            endian = {b"\x4d\x3c\x2b\x1a": "<",
                      b"\x1a\x2b\x3c\x4d": ">"}.get(data[off + 8:off + 12])
        if endian is None:
            return None
        btype, blen = struct.unpack_from(endian + "II", data, off)
        if blen < 12 or blen % 4 or off + blen > len(data):
            return None
        count += btype == 1
        off += blen
    return count


def expected_idbs(path):
    """How many interfaces wiretap makes of a file, when that is certain."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if data[:4] in PCAP_MAGICS:
        return 1
    if len(data) >= 4 and struct.unpack_from("<I", data)[0] == PCAPNG_SHB:
        return pcapng_idb_count(data)
    return None


def mergecap(mergecap_bin, files, out, timeout):
    rc, _, _ = run([mergecap_bin, "-a", "-I", "none", "-F", "pcapng",
                    "-w", out] + files, timeout)
    return rc == 0


def mergeable(mergecap_bin, files, tmp, timeout):
    """Splits files into those mergecap reads cleanly and the rest."""
    if not files:
        return [], []
    if mergecap(mergecap_bin, files, os.path.join(tmp, "probe.pcapng"),
                timeout):
        return files, []
    if len(files) == 1:
        return [], files
    half = len(files) // 2
    g1, b1 = mergeable(mergecap_bin, files[:half], tmp, timeout)
    g2, b2 = mergeable(mergecap_bin, files[half:], tmp, timeout)
    return g1 + g2, b1 + b2


def batch_chains(cmd, mergecap_bin, env, files, out, timeout):
    """Merges files into `out`; returns {file: [frame.protocols of each of
    its TCP frames]}, or None when the interface-to-file map cannot be
    trusted. cmd(path, fields, display_filter) builds the tshark command."""
    if not mergecap(mergecap_bin, files, out, timeout):
        return None
    owner = []
    for f in files:
        owner += [f] * expected_idbs(f)
    with open(out, "rb") as fh:
        if pcapng_idb_count(fh.read()) != len(owner):
            return None
    rc, stdout, _ = run(cmd(out, ["frame.interface_id", "frame.protocols"],
                            "tcp"), timeout * 4, env)
    if rc != 0:
        return None
    seen = {f: [] for f in files}
    for line in stdout.decode("utf-8", "replace").splitlines():
        iface, _, chain = line.partition("\t")
        seen[owner[int(iface)]].append(chain)
    return seen


def tcp_chains(cmd, mergecap_bin, env, paths, jobs, timeout, tmp):
    """The protocol chains of the TCP frames of each file, found by a few
    batched tshark runs: ({path: [chain]}, [paths that could not be
    batched and need a tshark run of their own])."""
    if not mergecap_bin:
        return {}, list(paths)
    single = [p for p in paths if expected_idbs(p) is None]
    good, bad = mergeable(mergecap_bin, [p for p in paths
                                         if p not in single], tmp, timeout)
    single += bad
    chains = {}
    groups = [good[i::jobs] for i in range(jobs) if good[i::jobs]]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        futs = [(ex.submit(batch_chains, cmd, mergecap_bin, env, g,
                           os.path.join(tmp, "batch%d.pcapng" % i), timeout),
                 g) for i, g in enumerate(groups)]
        for fut, g in futs:
            seen = fut.result()
            if seen is None:
                single += g
            else:
                chains.update(seen)
    return chains, single


def parse_args(doc, verbose_help):
    """The command line both differential tests take."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("dirs", nargs="*", metavar="DIR",
                    default=[os.path.join(top, "..", "shared", "corpus",
                                          "tcpdump")])
    ap.add_argument("--synscope", default=os.environ.get("SYNSCOPE"),
                    help="synscope binary (default: $SYNSCOPE)")
    ap.add_argument("--tshark", default=shutil.which("tshark"))
    ap.add_argument("--jobs", type=int,
                    default=max(1, min(4, os.cpu_count() or 1)))
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds per tshark run (default 60)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help=verbose_help)
    return ap.parse_args()


def missing_tools(a, tool):
    """None when synscope and tshark are both there; else the exit code,
    after one line saying why (no tshark is a skip, no synscope an error)."""
    if not a.synscope or not os.access(a.synscope, os.X_OK):
        print("%s: no synscope binary (--synscope or $SYNSCOPE)" % tool)
        return 2
    if not a.tshark or not shutil.which(a.tshark):
        print("skipped: tshark is not installed (%s)" % (a.tshark or "tshark"))
        return EXIT_SKIP
    return None


# Every TCP port's payload as plain data: no application dissector runs,
# which keeps tshark fast and its TCP fields the same whatever the port.
TSHARK_DECODE_AS = "tcp.port==0-65535,data"


def tshark_cmd(tshark, path, fields, prefs, display_filter=None,
               conv=False):
    """A tshark run printing `fields` per frame, tab-separated, with the
    test's preferences (`prefs`, "name:value" each); `conv` adds the
    -z conv,tcp table after the frames."""
    cmd = [tshark, "-n", "-r", path, "-d", TSHARK_DECODE_AS]
    for p in prefs:
        cmd += ["-o", p]
    if display_filter:
        cmd += ["-Y", display_filter]
    if conv:
        cmd += ["-z", "conv,tcp"]
    cmd += ["-T", "fields", "-E", "header=n", "-E", "separator=/t",
            "-E", "occurrence=a", "-E", "aggregator=,", "-E", "quote=n"]
    for f in fields:
        cmd += ["-e", f]
    return cmd

