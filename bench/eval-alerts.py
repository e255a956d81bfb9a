#!/usr/bin/env python3
"""Evaluates synscope's two flood detectors on the recorded samples.

  bench/eval-alerts.py [SYNSCOPE] [--output FILE]

For every row of samples/floods.tsv, runs

  SYNSCOPE -r samples/FILE --seed 1 --alerts - --detector X

for X in threshold, cusum and both, reads the alert records (JSON lines,
docs/alerts.md) and measures, per sample and detector:

  verdict     the first alert on the expected target: of a flood verdict
              for a flood sample, of the expected verdict (syn_scan,
              backscatter) otherwise
  delay       its start - the flood's first packet (flood_start)
  end lag     the end its end record names - the flood's last packet
  fired       the detectors its end record names
  on target   flood alerts raised on the expected target (more than one
              means the alert ended and was raised again)
  false       flood alerts (syn_flood, spoofed_syn_flood,
              single_source_flood) on a benign, scan or backscatter sample,
              or on another target than the expected one; a syn_cookies
              alert is never counted

Prints the table as markdown and writes docs/alerts-eval.md (the method,
the command, the table and what it shows). SYNSCOPE defaults to the
build at build-eval/cli/synscope.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DETECTORS = ("threshold", "cusum", "both")
FLOODS = {"syn_flood", "spoofed_syn_flood", "single_source_flood"}
SYN_RATE = 100.0  # the default --syn-rate, which this script keeps


def read_table(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            if not line.strip():
                continue
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


def run(synscope, sample, detector):
    cmd = [synscope, "-r", os.path.join(ROOT, "samples", sample),
           "--seed", "1", "--alerts", "-", "--detector", detector]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode == 2 and "--detector" in p.stderr:
        sys.exit("eval-alerts: %s does not know --detector (%s)"
                 % (synscope, p.stderr.strip()))
    if p.returncode != 0:
        sys.exit("eval-alerts: %s exited %d: %s"
                 % (" ".join(cmd), p.returncode, p.stderr.strip()[:300]))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def on_target(rec, row):
    port = None if row["target_port"] == "-" else int(row["target_port"])
    return rec["dst"] == row["target_ip"] and rec["dport"] == port


def measure(recs, row):
    want = row["verdict"]
    starts = [r for r in recs if r["event"] == "start"]
    ends = {r["id"]: r for r in recs if r["event"] == "end"}
    flood_sample = want in FLOODS
    false = sum(1 for r in starts if r["verdict"] in FLOODS and
                (not flood_sample or not on_target(r, row)))
    hits = sum(1 for r in starts if r["verdict"] in FLOODS and
               flood_sample and on_target(r, row))
    m = {"verdict": None, "delay": None, "lag": None, "false": false,
         "hits": hits, "fired": None, "peak": None}
    if want == "none":
        return m
    kinds = FLOODS if flood_sample else {want}
    first = next((r for r in starts if r["verdict"] in kinds and
                  on_target(r, row)), None)
    if first is None:
        return m
    m["verdict"] = first["verdict"]
    m["delay"] = first["start"] - float(row["flood_start"])
    end = ends.get(first["id"])
    if end is not None and end["end"] is not None:
        m["lag"] = end["end"] - float(row["flood_end"])
        m["fired"] = "+".join(end["detector"])
        m["peak"] = end["syn_rate"]
    return m


def secs(x):
    return "-" if x is None else "%+.2f s" % x


def verdict_cell(m, want):
    if want == "none":
        return "-"
    if m["verdict"] is None:
        return "**missed**"
    if m["verdict"] != want:
        return "**%s** (wrong)" % m["verdict"]
    return m["verdict"]


def table(results):
    out = ["| sample | expected | detector | verdict | fired | delay "
           "| end lag | on target | false alerts |",
           "|---|---|---|---|---|---|---|---|---|"]
    for row, per in results:
        for det in DETECTORS:
            m = per[det]
            hits = str(m["hits"]) if row["verdict"] in FLOODS else "-"
            false = "**%d**" % m["false"] if m["false"] else "0"
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                row["file"], row["verdict"], det,
                verdict_cell(m, row["verdict"]), m["fired"] or "-",
                secs(m["delay"]),
                secs(m["lag"]), hits, false))
    return "\n".join(out)


def findings(results):
    """What the table shows, worded from the numbers so a rerun keeps
    the text true."""
    lines = []
    for det in ("threshold", "cusum"):
        missed = [r["file"] for r, per in results
                  if r["verdict"] in FLOODS and per[det]["verdict"] is None]
        wrong = ["%s (%s)" % (r["file"], per[det]["verdict"])
                 for r, per in results if per[det]["verdict"] not in
                 (None, r["verdict"])]
        false = ["%s (%d)" % (r["file"], per[det]["false"])
                 for r, per in results if per[det]["false"]]
        delays = [per[det]["delay"] for r, per in results
                  if r["verdict"] in FLOODS and
                  per[det]["delay"] is not None]
        flaps = ["%s (%d)" % (r["file"], per[det]["hits"])
                 for r, per in results if per[det]["hits"] > 1]
        s = "- **%s alone**: " % det
        s += ("missed %s" % ", ".join(missed)) if missed else \
             "raised on every flood sample"
        if delays:
            s += "; flood delay %.2f to %.2f s" % (min(delays), max(delays))
        s += "; " + (("wrong verdict on %s" % ", ".join(wrong)) if wrong
                     else "every verdict right")
        s += "; " + (("false flood alerts on %s" % ", ".join(false))
                     if false else "no false flood alert")
        if flaps:
            s += "; raised more than once on %s" % ", ".join(flaps)
        lines.append(s + ".")
    same = all(per["both"]["delay"] == min(
        (d for d in (per["threshold"]["delay"], per["cusum"]["delay"])
         if d is not None), default=None) for r, per in results
        if r["verdict"] in FLOODS)
    others = [r["file"] for r, per in results
              if r["verdict"] not in FLOODS and r["verdict"] != "none" and
              any(per[d]["verdict"] != r["verdict"] for d in DETECTORS)]
    lines.append("- **scan and backscatter** come from rules that run "
                 "whatever `--detector` says (their records name "
                 "`threshold`): " + (("missed or wrong on %s"
                                      % ", ".join(others)) if others else
                                     "raised in every mode") + ".")
    if same:
        lines.append("- **both**: every flood alert starts with the "
                     "earlier of the two detectors.")
    keys = ("verdict", "delay", "lag", "false", "hits")
    alike = all(per["threshold"][k] == per["cusum"][k]
                for r, per in results for k in keys)
    peaks = [per["both"]["peak"] / SYN_RATE for r, per in results
             if r["verdict"] in FLOODS and per["both"]["peak"]]
    if alike and peaks:
        lines.append(
            "\nOn every sample the two detectors alone give the same "
            "verdict, delay and end. The recorded floods peak at %.0f to "
            "%.0f times the default `--syn-rate` (%g SYN/s). Both "
            "detectors wait for the SYN rate over the last second to reach "
            "`--syn-rate`; once it does, at such rates the CUSUM passes h "
            "in one 100 ms step, and on these samples the threshold "
            "rules' other conditions (completion low, and half-open at "
            "the limit, RSTs answering or SYNs unanswered) already hold, "
            "so both raise in the same bucket and the evaluation cannot "
            "tell them apart. The case the CUSUM "
            "is there for, a flood of a few hundred SYN/s on a target "
            "busy with real clients (where completion hardly drops), is "
            "in none of the samples: these numbers say nothing about it."
            % (min(peaks), max(peaks), SYN_RATE))
    return "\n".join(lines)


def document(results, version, table_md):
    return """# Alert evaluation on the recorded samples

Generated by `bench/eval-alerts.py` with %s; do not edit by hand.
Regenerate it from the source root, after building, with

    python3 bench/eval-alerts.py build-eval/cli/synscope

## Method

Each sample of `samples/floods.tsv` (recorded on a test network; its
`comment` column says how) is read with
`synscope -r samples/FILE --seed 1 --alerts - --detector X`, once per
detector: `threshold` (thresholds with hysteresis alone), `cusum` (the
non-parametric CUSUM alone) and `both` (the default). Scans, backscatter
and SYN cookies are not flood detectors and run in every mode
(docs/alerts.md). From the JSON lines:

- **verdict**: the first alert on the expected target, of a flood verdict
  for a flood sample, of the expected verdict for the scan and the
  backscatter samples; **missed** when there is none;
- **fired**: the detectors its end record names;
- **delay**: its `start` less the time of the flood's first packet
  (`flood_start`); raising needs pressure in two 100 ms buckets, so
  ~0.1-0.3 s is the least possible;
- **end lag**: the `end` of its end record less the time of the flood's
  last packet (`flood_end`);
- **on target**: flood alerts raised on the expected target (more than
  one: the alert ended and was raised again);
- **false alerts**: flood alerts (`syn_flood`, `spoofed_syn_flood`,
  `single_source_flood`) on a benign, scan or backscatter sample, or on
  any other target than the expected one. A `syn_cookies` alert on a
  flood's target is not false.

The thresholds are the defaults; nothing was tuned to these samples. Eight
samples are few: the table shows behaviour on real kernels' traffic, not
rates of detection.

## Results

%s

## What it shows

%s
""" % (version, table_md, findings(results))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("synscope", nargs="?",
                    default=os.path.join(ROOT, "build-eval", "cli",
                                         "synscope"))
    ap.add_argument("--output", default=os.path.join(ROOT, "docs",
                                                     "alerts-eval.md"),
                    help="where to write the document ('-': nowhere)")
    a = ap.parse_args()
    if not os.access(a.synscope, os.X_OK):
        sys.exit("eval-alerts: no synscope at %s (build it, or name it)"
                 % a.synscope)
    version = subprocess.run([a.synscope, "-V"], capture_output=True,
                             text=True, check=False).stdout.strip()
    results = []
    for row in read_table(os.path.join(ROOT, "samples", "floods.tsv")):
        per = {det: measure(run(a.synscope, row["file"], det), row)
               for det in DETECTORS}
        results.append((row, per))
    table_md = table(results)
    print(table_md)
    if a.output != "-":
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(document(results, version or "synscope", table_md))
        print("\nwrote %s" % os.path.relpath(a.output), file=sys.stderr)


if __name__ == "__main__":
    main()
