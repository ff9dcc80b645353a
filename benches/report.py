#!/usr/bin/env python3
"""Turns the raw JSON lines written by scripts/bench.sh into the markdown of benches/RESULTS.md.

Usage: report.py [--readme README.md] WORK_DIR  (--readme also replaces the README's benchmark
section, between its markers, with the same text; reads generator.jsonl, compile.jsonl, peers.jsonl, worker.jsonl there;
a missing file leaves its section out). Medians over runs; ratios are computed within each run
against the baseline measured in that run, then the median of the ratios is shown."""
import json
import os
import platform
import statistics as st
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timezone


def lines(path):
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def med(xs):
    xs = [x for x in xs if x is not None]
    return st.median(xs) if xs else None


def fmt(x, digits=1, unit=""):
    return "n/a" if x is None else f"{x:.{digits}f}{unit}"


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def measured(w, part):
    """'Measured at commit X, DATE.' for a part, from the stamp scripts/bench.sh leaves."""
    try:
        commit, when = open(os.path.join(w, part + ".measured")).read().strip().split(" ", 1)
        return [f"Measured at commit `{commit}`, {when}.", ""]
    except (OSError, ValueError):
        return []


def machine():
    return (f"Machine: {os.cpu_count()} CPUs (`nproc` {sh('nproc')}), {cpu_model()}, "
            f"{platform.system()} {platform.release()}; {sh('rustc', '-V')}; report written at commit "
            f"`{sh('git', 'rev-parse', '--short', 'HEAD')}`, "
            f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} (each section says when it was "
            "measured). The machine is shared and noisy: medians of several runs, ratios against "
            "baselines taken in the same run.")


def generator(recs):
    if not recs:
        return []
    out = ["## Generator", "",
           "Time to generate the client code. The stage columns run the pipeline one stage at a time: "
           "parse (JSON/YAML to OpenAPI), model (resolve `$ref`s + build the model), "
           "emit (the `syn` tree) and format (`prettyplease`), in CPU milliseconds of the calling "
           "thread, and their sum (parse reads JSON with a second thread and model warms its memo on "
           "one; their CPU is not in these columns). `generate` is one call of `camunda7_codegen::generate`, what a build "
           "script pays: it reads JSON on two threads and emits + formats the modules on up to "
           f"four ({min(4, os.cpu_count() or 1)} on this machine); wall-clock and the process's CPU. Medians over the runs, each run "
           "itself a median of many generations. `debug` is the unoptimised profile build scripts "
           "run in (cargo builds build-dependencies at opt-level 0 even for `--release`). The "
           "target applies to `generate` wall-clock in release.", "",
           "| document | operations | profile | parse | model | emit | format | stages total (CPU) "
           "| `generate` wall | `generate` CPU | target |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    groups = defaultdict(list)
    for r in recs:
        groups[(r["document"], r["profile"])].append(r)
    for (doc, profile), rs in sorted(groups.items(), key=lambda kv: (kv[0][1] != "release", kv[0][0])):
        wall = med(r.get("generate_wall_ms") for r in rs)
        target = ""
        if doc.startswith("camunda-7.24") and profile == "release":
            target = f"≤ 120 ms: {'met' if wall is not None and wall <= 120 else 'not met'}"
        out.append(f"| {doc} | {rs[0]['operations']} | {profile} | "
                   + " | ".join(fmt(med(r[k] for r in rs)) for k in ("parse_ms", "model_ms", "emit_ms", "format_ms"))
                   + f" | {fmt(med(r['total_ms'] for r in rs))} | **{fmt(wall)}** | "
                   + f"{fmt(med(r.get('generate_cpu_ms') for r in rs), 0)} | {target} |")
    return out + [""]


def compile_times(recs):
    if not recs:
        return ["## Compile time", "", "Not measured in this run (`ONLY=compile scripts/bench.sh` "
                "measures it; it builds all dependencies twice in a separate target directory).", ""]
    out = ["## Compile time", "",
           "`cargo build -p camunda7-client --lib` after touching the document (dependencies and "
           "the build script prebuilt): the build script generating the code plus compiling the "
           "crate, runtime and worker included. \"own crate\" rows: the same document generated "
           "by `camunda7_codegen::Builder` in a crate of one's own that depends on "
           "`camunda7-client` (the whole document, and the five tags Process Instance, Process "
           "Definition, Deployment, Message and Task), where only the generated code is rebuilt. "
           "`CARGO_INCREMENTAL=0` throughout. Seconds, median; CPU = user+system of cargo and "
           "everything it ran.", "",
           "| document | profile | wall s | CPU s |", "|---|---|---:|---:|"]
    groups = defaultdict(list)
    for r in recs:
        groups[(r["spec"], r["profile"])].append(r)
    for (spec, profile), rs in groups.items():
        errors = [r["error"] for r in rs if "error" in r]
        if errors:
            out.append(f"| {spec} | {profile} | n/a (not yet compiling: {errors[0][:160]}) | n/a |")
        else:
            out.append(f"| {spec} | {profile} | {fmt(med(r['wall_s'] for r in rs), 2)} | "
                       f"{fmt(med(r['cpu_s'] for r in rs), 2)} |")
    return out + [""]


def peers(all_recs):
    recs = [r for r in all_recs if "it_per_s" in r]
    if not recs:
        return []
    runs = defaultdict(dict)
    for r in recs:
        runs[r["run"]][r["name"]] = r
    names = list(dict.fromkeys(r["name"] for r in recs))
    out = ["## Client overhead", "",
           "Sequential loop of fetchAndLock (maxTasks 1) + complete (2 variables) against a canned "
           "nginx stand-in of the engine on 127.0.0.1, client and nginx pinned to one core, "
           f"{len(runs)} runs. `raw-reqwest` is the hand-written reqwest loop (the floor); `ours` is "
           "this crate's generated client; `ours-worker-c1/c16` is the worker with 1 / 16 "
           "concurrent trivial handlers; it/s counts completed tasks. The stand-in always returns "
           "the same task, and the worker's next fetch goes out while the last result is being "
           "reported, so now and then a fetch returns the task still being reported, which the "
           "worker skips (a real engine does not hand out a locked task). CPU = the client "
           "process's own CPU inside the timed loop.", "",
           "| client | it/s | CPU ms/it | CPU/it vs raw | it/s vs raw | peak RSS MB |",
           "|---|---:|---:|---:|---:|---:|"]
    for n in names:
        rs = [runs[k][n] for k in runs if n in runs[k]]
        base = [(runs[k][n], runs[k]["raw-reqwest"]) for k in runs if n in runs[k] and "raw-reqwest" in runs[k]]
        crat = med(a["cpu_ms_per_it"] / b["cpu_ms_per_it"] for a, b in base)
        irat = med(a["it_per_s"] / b["it_per_s"] for a, b in base)
        name = f"**{n}**" if n.startswith("ours") else n
        out.append(f"| {name} | {fmt(med(r['it_per_s'] for r in rs), 0)} | "
                   f"{fmt(med(r['cpu_ms_per_it'] for r in rs), 4)} | {fmt(crat, 2, '×')} | "
                   f"{fmt(irat, 2, '×')} | {fmt(med(r['peak_rss_mb'] for r in rs))} |")
    failed = sorted({r["name"] for r in all_recs if "error" in r})
    if failed:
        out += ["", "Failed in at least one run (see the peer kit's output): " + ", ".join(failed)]
    return out + [""]


def instructions(recs):
    by = {r["name"]: r for r in recs}
    if "raw-reqwest" not in by or "ours" not in by:
        return []
    raw, ours = by["raw-reqwest"]["instructions_per_it"], by["ours"]["instructions_per_it"]
    out = ["Noise-free cross-check (valgrind/callgrind, instructions per iteration, start-up "
           f"cancelled out): raw-reqwest {raw / 1000:.1f} k, ours {ours / 1000:.1f} k, "
           f"ratio **{ours / raw:.2f}×** (target ≤ 1.1×)."]
    if "ours-worker-c1" in by:
        w = by["ours-worker-c1"]
        # Per fetch + report pair of requests: under valgrind the worker's next fetch often
        # returns the task whose report is still on its way (the stand-in always answers with
        # the same task), and such a fetch is skipped as a duplicate; per completed task those
        # fetches would count against it although the loop it is compared with never makes them.
        pair = w.get("instructions_per_pair", w["instructions_per_it"])
        out[0] += (f" The worker with one handler: {pair / 1000:.1f} k per fetch + report, "
                   f"**{pair / raw:.2f}×** the hand-written loop")
        if "duplicate_fetches" in w:
            out[0] += (f" ({w['duplicate_fetches'] * 100:.0f} % of its fetches under valgrind "
                       "returned the task still being reported and were skipped; per completed "
                       f"task, {w['instructions_per_it'] / 1000:.1f} k)")
        out[0] += (". On this machine the it/s of one and the same binary moves by up to ±12 % "
                   "from run to run, so the instruction counts are the steadier comparison.")
    return out + [""]


def pairs(recs):
    layouts = defaultdict(lambda: defaultdict(dict))
    for r in recs:
        if r.get("iterations"):
            # Records from before the two layouts were pinned to one core.
            layouts[r.get("layout", "one-core")][r["round"]][r["name"]] = r
    if not any("raw-reqwest" in rd for rounds in layouts.values() for rd in rounds.values()):
        return []
    out = ["## Client and worker, interleaved", "",
           "The hand-written loop, our client and the worker with one handler run back to back in "
           "a rotating order, rounds of a few seconds each, against the same stand-in; ratios are "
           "taken within each round (runs seconds apart), then the median over the rounds is "
           "shown. This cancels the drift of a shared machine between the kit's baseline and our "
           "entries above, which it measures a minute or more apart. *One core*: client and nginx "
           "pinned to the same core, as the kit runs them; *two cores*: both free. The "
           "`no-timeout` rows run with the request timeout off (`Client::builder().no_timeout()`), "
           "as the hand-written loop has none: the same work, without the timer each request arms "
           "(see docs/benchmarks.md).",
           "", "| layout | client | it/s | CPU ms/it | CPU/it vs raw | it/s vs raw | rounds |",
           "|---|---|---:|---:|---:|---:|---:|"]
    it_s = lambda r: r["iterations"] / r["elapsed_s"]
    cpu = lambda r: r["cpu_s"] / r["iterations"] * 1e3
    names = ("raw-reqwest", "ours", "ours-no-timeout", "ours-worker-c1",
             "ours-worker-c1-no-timeout")
    for layout in ("one-core", "two-cores"):
        full = [rd for rd in layouts.get(layout, {}).values() if "raw-reqwest" in rd]
        for name in names:
            both = [(rd[name], rd["raw-reqwest"]) for rd in full if name in rd]
            if not both:
                continue
            label = f"**{name}**" if name.startswith("ours") else name
            out.append(f"| {layout.replace('-', ' ')} | {label} | "
                       f"{fmt(med(it_s(a) for a, _ in both), 0)} | "
                       f"{fmt(med(cpu(a) for a, _ in both), 4)} | "
                       f"{fmt(med(cpu(a) / cpu(b) for a, b in both), 2, '×')} | "
                       f"{fmt(med(it_s(a) / it_s(b) for a, b in both), 2, '×')} | {len(both)} |")
    return out + [""]


def worker(recs, peer_recs):
    eng = [r for r in recs if r.get("mode") == "engine"]
    rss = [r for r in recs if r.get("mode") == "rss"]
    out = []
    if eng or peer_recs:
        out += ["## Worker", "",
                "Trivial handlers (complete with 2 variables). Stand-in: the nginx runs above "
                "(ratio = worker tasks/s ÷ hand-written loop it/s in the same run; target ≥ 0.9×). "
                "Embedded engine: `camunda7-test-engine` in the same process, a backlog of "
                "20,000 seeded tasks; start latency = engine lock time → handler start "
                "(millisecond dates); pickup = task created while the worker long-polls → handler "
                "start. CPU ms/task for the embedded engine includes the engine's own work.", "",
                "| server | concurrent handlers | tasks/s | vs raw loop | CPU ms/task | start latency p50 / p99 ms | pickup p50 / p99 ms |",
                "|---|---:|---:|---:|---:|---|---|"]
        runs = defaultdict(dict)
        for r in peer_recs:
            if "it_per_s" in r:
                runs[r["run"]][r["name"]] = r
        for c in (1, 16):
            n = f"ours-worker-c{c}"
            rs = [runs[k][n] for k in runs if n in runs[k]]
            if rs:
                rat = med(runs[k][n]["it_per_s"] / runs[k]["raw-reqwest"]["it_per_s"]
                          for k in runs if n in runs[k] and "raw-reqwest" in runs[k])
                out.append(f"| nginx stand-in | {c} | {fmt(med(r['it_per_s'] for r in rs), 0)} | "
                           f"{fmt(rat, 2, '×')} | {fmt(med(r['cpu_ms_per_it'] for r in rs), 4)} | "
                           "n/a (canned lock time) | n/a |")
        for c in (1, 16):
            rs = [r for r in eng if r["concurrency"] == c]
            if rs:
                out.append(
                    f"| embedded engine | {c} | {fmt(med(r['tasks_per_s'] for r in rs), 0)} | – | "
                    f"{fmt(med(r['cpu_s'] * 1000 / r['tasks'] for r in rs), 4)} | "
                    f"{fmt(med(r['start_latency_p50_ms'] for r in rs), 2)} / {fmt(med(r['start_latency_p99_ms'] for r in rs), 2)} | "
                    f"{fmt(med(r['pickup_latency_p50_ms'] for r in rs), 2)} / {fmt(med(r['pickup_latency_p99_ms'] for r in rs), 2)} |")
        out.append("")
    if rss:
        out += [f"Memory with {rss[0]['in_flight']} tasks in flight (all handlers running at once, "
                "embedded engine in the same process): RSS before the worker started "
                f"{fmt(med(r['rss_before_mb'] for r in rss))} MB, with all tasks in flight "
                f"{fmt(med(r['rss_in_flight_mb'] for r in rss))} MB, process peak "
                f"{fmt(med(r['peak_rss_mb'] for r in rss))} MB (median of {len(rss)} runs).", ""]
    return out


README_START = "<!-- benchmarks: generated by scripts/bench.sh from benches/RESULTS.md -->"
README_END = "<!-- benchmarks: end -->"


def splice_readme(path, results):
    """Puts the results (headings one level down, without the title) between the README's
    markers, so one command refreshes both. Missing markers are an error, not a silent skip."""
    text = open(path).read()
    if README_START not in text or README_END not in text:
        sys.exit(f"{path}: the benchmark markers are missing")
    body = results.split("\n", 1)[1].strip()
    body = "\n".join("#" + line if line.startswith("#") else line for line in body.split("\n"))
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    with open(path, "w") as f:
        f.write(head + README_START + "\n\n" + body + "\n\n" + README_END + tail)


def previous_sections(path):
    """The `## ` sections of an earlier report, by heading, so a part that was not run this time
    keeps its last figures (each carries its own "Measured at commit …" line)."""
    if not os.path.exists(path):
        return {}
    sections, current = {}, None
    for line in open(path).read().split("\n"):
        if line.startswith("## "):
            current = line
            sections[current] = [line]
        elif current is not None:
            sections[current].append(line)
    return sections


def main():
    args = sys.argv[1:]
    previous = {}
    if "--previous" in args:
        i = args.index("--previous")
        previous = previous_sections(args[i + 1]) if i + 1 < len(args) else sys.exit("--previous needs a path")
        del args[i:i + 2]
    readme = None
    if "--readme" in args:
        i = args.index("--readme")
        readme = args[i + 1] if i + 1 < len(args) else sys.exit("--readme needs a path")
        del args[i:i + 2]
    w = args[0] if args else "."
    peer_recs = lines(os.path.join(w, "peers.jsonl"))
    doc = ["# Benchmark results", "",
           "Generated by `scripts/bench.sh`; do not edit by hand. How each figure is measured: "
           "`docs/benchmarks.md`.", "", machine(), ""]
    def stamped(section, part):
        if len(section) >= 2 and section[0].startswith("## "):
            return section[:2] + measured(w, part) + section[2:]
        return section

    def or_previous(section, heading):
        if section or heading not in previous:
            return section
        block = previous[heading]
        while block and not block[-1].strip():
            block = block[:-1]
        return block + [""]

    doc += or_previous(stamped(generator(lines(os.path.join(w, "generator.jsonl"))), "generator"), "## Generator")
    doc += or_previous(stamped(compile_times(lines(os.path.join(w, "compile.jsonl"))), "compile"), "## Compile time")
    client = stamped(peers(peer_recs), "peers") + instructions(lines(os.path.join(w, "instructions.jsonl")))
    doc += or_previous(client if peer_recs else [], "## Client overhead")
    doc += or_previous(stamped(pairs(lines(os.path.join(w, "pairs.jsonl"))), "pairs"), "## Client and worker, interleaved")
    doc += or_previous(stamped(worker(lines(os.path.join(w, "worker.jsonl")), peer_recs), "worker"), "## Worker")
    results = "\n".join(doc).rstrip() + "\n"
    print(results, end="")
    if readme:
        splice_readme(readme, results)


if __name__ == "__main__":
    main()
