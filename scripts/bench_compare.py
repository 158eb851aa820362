#!/usr/bin/env python3
"""bench_compare.py -- the MetaLearn / learn2learn ratio table of one scripts/bench.sh run.

Usage: python3 scripts/bench_compare.py RESULTS_DIR [--write-docs docs/results.md]

RESULTS_DIR (written by scripts/bench.sh) holds
  peer/r<round>/<workload>/results_torch*_t*.json   the peer's JSON (bench_peer.py, PEER_OUT)
  ours/r<round>/<workload>.json                     metalearn-bench workloads --json
  meta.txt, load.txt                                command, date, host, load averages

Throughput ratio = MetaLearn / learn2learn iterations per second, per round (the two ran
back to back), median over rounds; memory ratio = MetaLearn / learn2learn peak RSS (ru_maxrss
of the workload's own process, max over rounds). Targets (issue 8): MAML second order and
FOMAML >= 3x, ProtoNet >= 2x, meta-test adaptation >= 4x, peak memory <= 0.5x.
With --write-docs the markdown goes between the speed markers of that file (created if missing).
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys

ORDER = ["a_maml_so_1step", "b_fomaml_1step", "c_maml_so_5step", "c2_fomaml_5step", "d_protonet",
         "e_metatest_adapt10"]
SPEED_TARGET = {"a_maml_so_1step": 3.0, "b_fomaml_1step": 3.0, "c_maml_so_5step": 3.0, "c2_fomaml_5step": 3.0,
                "d_protonet": 2.0, "e_metatest_adapt10": 4.0}
MEMORY_TARGET = 0.5
BEGIN, END = "<!-- speed:begin (scripts/bench_compare.py) -->", "<!-- speed:end -->"


def load(results):
    """{workload: {round: {"peer": run, "ours": run}}}; a run is the per-process dict."""
    runs = {}
    for path in glob.glob(os.path.join(results, "peer", "r*", "*", "results_torch*_t*.json")):
        rnd = int(re.search(r"/r(\d+)/", path).group(1))
        with open(path) as f:
            data = json.load(f)
        for w in data.get("workloads", []):
            for raw in w.get("raw", []):
                raw["torch"] = data.get("versions", {}).get("torch")
                raw["learn2learn"] = data.get("versions", {}).get("learn2learn")
                runs.setdefault(w["name"], {}).setdefault(rnd, {})["peer"] = raw
    for path in glob.glob(os.path.join(results, "ours", "r*", "*.json")):
        rnd = int(re.search(r"/r(\d+)/", path).group(1))
        with open(path) as f:
            data = json.load(f)
        for w in data.get("workloads", []):
            for raw in w.get("raw", []):
                runs.setdefault(w["name"], {}).setdefault(rnd, {})["ours"] = raw
    return runs


def summarize(runs):
    rows = []
    for name in sorted(runs, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        rounds = runs[name]
        peer = [r["peer"] for r in rounds.values() if "peer" in r]
        ours = [r["ours"] for r in rounds.values() if "ours" in r]
        if not peer or not ours:
            continue
        paired = [r["ours"]["iters_per_s"] / r["peer"]["iters_per_s"] for r in rounds.values()
                  if "peer" in r and "ours" in r]
        rows.append(dict(
            name=name, rounds=len(paired),
            peer_ips=statistics.median(r["iters_per_s"] for r in peer),
            ours_ips=statistics.median(r["iters_per_s"] for r in ours),
            peer_ms=1e3 * statistics.median(r["median_iter_s"] for r in peer),
            ours_ms=1e3 * statistics.median(r["median_iter_s"] for r in ours),
            ratio=statistics.median(paired), ratio_min=min(paired), ratio_max=max(paired),
            peer_rss=max(r["peak_rss_mib"] for r in peer), ours_rss=max(r["peak_rss_mib"] for r in ours),
            peer_threads=peer[0].get("threads"), ours_threads=ours[0].get("threads"),
            ours_os_threads=max(r.get("os_threads", 0) for r in ours),
            torch=peer[0].get("torch"), l2l=peer[0].get("learn2learn"), blas=ours[0].get("blas_core"),
            tasks_per_iter=ours[0].get("tasks_per_iter", 1),
            gflop=next((r["flops_per_iter"] / 1e9 for r in peer if isinstance(r.get("flops_per_iter"), (int, float))),
                       None)))
    return rows


def verdict(ok, ratio, target, higher):
    if ok:
        return "yes"
    need = target / ratio if higher else ratio / target
    return "no (needs %.2fx more)" % need if higher else "no (%.2fx too much)" % need


def tables(rows):
    speed = ["| workload | learn2learn it/s | MetaLearn it/s | ratio (per-round range) | target | met? "
             "| GFLOP/it | GFLOP/s l2l / ours |",
             "|---|---:|---:|---:|---:|---|---:|---:|"]
    memory = ["| workload | learn2learn peak RSS | MetaLearn peak RSS | ratio | target | met? |",
              "|---|---:|---:|---:|---:|---|"]
    met = []
    for r in rows:
        t = SPEED_TARGET.get(r["name"])
        ok = t is not None and r["ratio"] >= t
        g = r["gflop"]
        speed.append("| %s | %.3f (%.0f ms) | %.3f (%.0f ms) | **%.2fx** (%.2f-%.2f) | >= %.0fx | %s | %s | %s |" % (
            r["name"], r["peer_ips"], r["peer_ms"], r["ours_ips"], r["ours_ms"], r["ratio"], r["ratio_min"],
            r["ratio_max"], t or 0, verdict(ok, r["ratio"], t, True), "%.2f" % g if g else "n/a",
            "%.1f / %.1f" % (g * r["peer_ips"], g * r["ours_ips"]) if g else "n/a"))
        m = r["ours_rss"] / r["peer_rss"]
        mok = m <= MEMORY_TARGET
        memory.append("| %s | %.0f MiB | %.0f MiB | **%.2fx** | <= %.1fx | %s |" % (
            r["name"], r["peer_rss"], r["ours_rss"], m, MEMORY_TARGET, verdict(mok, m, MEMORY_TARGET, False)))
        met.append((r["name"], ok, mok))
    return speed, memory, met


def read_meta(results):
    meta = {}
    path = os.path.join(results, "meta.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if ":" in line:
                    k, v = line.split(":", 1)
                    meta[k.strip()] = v.strip()
    loads = []
    path = os.path.join(results, "load.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    loads.append(float(parts[2]))
    return meta, loads


def sgemm_note(results):
    """The raw OpenBLAS sgemm rate bench.sh measured with 2 threads, as a ceiling for GFLOP/s."""
    path = os.path.join(results, "sgemm.txt")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        m = re.search(r"sgemm 1024x1024x1024 \(reference\)\s+([\d.]+)", f.read())
    return "; raw OpenBLAS sgemm 1024^3 on 2 threads in this run: %s GFLOP/s" % m.group(1) if m else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--write-docs", metavar="RESULTS_MD")
    args = ap.parse_args()
    runs = load(args.results)
    rows = summarize(runs)
    if not rows:
        sys.exit("bench_compare: no paired results in %s (expected peer/r*/*/results_torch*_t*.json and "
                 "ours/r*/*.json)" % args.results)
    meta, loads = read_meta(args.results)
    speed, memory, met = tables(rows)
    r0 = rows[0]
    context = [
        "- command: `%s`" % meta.get("command", "scripts/bench.sh"),
        "- date: %s; host: %s" % (meta.get("date", "?"), meta.get("host", "?")),
        "- load average (1 min) at start %s, at end %s; before each workload pair: %s" % (
            meta.get("load_start", "?").split()[0] if meta.get("load_start") else "?",
            meta.get("load_end", "?").split()[0] if meta.get("load_end") else "?",
            ("%.1f-%.1f (median %.1f)" % (min(loads), max(loads), statistics.median(loads))) if loads else "?"),
        "- peer: torch %s, learn2learn %s, %s threads; MetaLearn: OpenBLAS %s kernels, %s threads "
        "(%s OS threads at the end); %d round(s), ratio = median of per-round ratios" % (
            r0["torch"], r0["l2l"], r0["peer_threads"], r0["blas"], r0["ours_threads"], r0["ours_os_threads"],
            max(r["rounds"] for r in rows)),
    ]
    n_speed = sum(1 for _, ok, _ in met if ok)
    n_mem = sum(1 for _, _, ok in met if ok)
    summary = "Targets met: speed %d of %d, memory %d of %d." % (n_speed, len(met), n_mem, len(met))
    text = "\n".join(context) + "\n\nThroughput (iterations per second; MAML/FOMAML: meta-iterations of 32 tasks, " \
        "ProtoNet: episodes, meta-test: tasks; median iteration time in brackets; GFLOP/it = the peer's torch " \
        "flop counter for one iteration (conv+matmul incl. backward and double backward, the same math on both " \
        "sides), GFLOP/s = that x throughput%s):\n\n" % sgemm_note(args.results) + "\n".join(speed) + \
        "\n\nPeak memory (ru_maxrss of each workload's own process):\n\n" + "\n".join(memory) + "\n\n" + summary + "\n"
    print(text)
    if args.write_docs:
        block = BEGIN + "\n" + text + END
        if os.path.exists(args.write_docs):
            with open(args.write_docs) as f:
                doc = f.read()
        else:
            doc = "# Results\n\n## Speed: MetaLearn against learn2learn\n\n" + BEGIN + "\n" + END + "\n"
        if BEGIN in doc and END in doc:
            doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            doc += "\n" + block + "\n"
        with open(args.write_docs, "w") as f:
            f.write(doc)
        print("# speed section written to %s" % args.write_docs)


if __name__ == "__main__":
    main()
