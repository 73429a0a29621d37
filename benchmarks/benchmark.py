"""Time the capacity model: one 24-month replication of the baseline, and the whole default run.

Run from anywhere with the project's Python:  python benchmarks/benchmark.py [--quick] [--json PATH]
The engine is only imported and timed here, never changed. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkout  # noqa: E402  (beside this script)
import measures  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MONTHS = 24
SEED = 0
FIRST_REPLICATION = 1000  # timed repeats use replications 1000, 1001, ...; the warm-up uses 999


def time_single(repeats: int) -> dict:
    """Time ``run_replication`` of the built-in baseline, once per repeat, after one untimed warm-up."""
    import capacity_model

    load_scenario, run_replication, _, _ = measures._api()

    scenario = load_scenario("baseline")
    run_replication(scenario, SEED, FIRST_REPLICATION - 1, MONTHS)  # warm-up: imports, caches, first-call costs
    times = []
    for r in range(FIRST_REPLICATION, FIRST_REPLICATION + repeats):
        times.append(measures.seconds_with_its_garbage(lambda: run_replication(scenario, SEED, r, MONTHS)))
    return {"months": MONTHS, "seed": SEED, "replications": [FIRST_REPLICATION, FIRST_REPLICATION + repeats - 1],
            "seconds": times, "median": statistics.median(times), "min": min(times), "max": max(times),
            "version": getattr(capacity_model, "__version__", None), "module": str(Path(capacity_model.__file__).resolve()),
            "engine": measures.engine_kind()}


def time_oversight(repeats: int) -> dict:
    """The baseline with its oversight layer (visits, supervision, IROs) and without, alternately, same replications."""
    load_scenario, run_replication, _, _ = measures._api()
    on = load_scenario("baseline")
    off = on.model_copy(update={"oversight": None})
    run_replication(off, SEED, FIRST_REPLICATION - 1, MONTHS)
    times = {"on": [], "off": []}
    for r in range(FIRST_REPLICATION, FIRST_REPLICATION + repeats):
        for name, scenario in (("off", off), ("on", on)):
            times[name].append(measures.seconds_with_its_garbage(lambda: run_replication(scenario, SEED, r, MONTHS)))
    medians = {name: statistics.median(found) for name, found in times.items()}
    return {"seconds": times, "median_on": medians["on"], "median_off": medians["off"],
            "ratio": medians["on"] / medians["off"]}


def time_whole(repeats: int) -> dict:
    """Time ``run_experiment`` of the baseline with the defaults a user gets from ``capacity-model run``."""
    from capacity_model import load_scenario, run_experiment
    from capacity_model.experiment import DEFAULT_MONTHS, DEFAULT_REPLICATIONS, default_jobs

    scenario, jobs = load_scenario("baseline"), default_jobs()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_experiment(scenario, DEFAULT_REPLICATIONS, DEFAULT_MONTHS, SEED, jobs, progress=False)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return {"replications": DEFAULT_REPLICATIONS, "months": DEFAULT_MONTHS, "jobs": jobs, "seconds": times,
            "median": median, "replications_per_second": DEFAULT_REPLICATIONS / median}


def time_ref(ref: str, repeats: int) -> dict:
    """Time the single replication of git ``ref`` in a temporary worktree, in a fresh interpreter: its engine
    compiled there first if the one timed here is (like for like)."""
    try:
        with checkout.worktree(ref) as (commit, tmp):
            if measures.engine_kind() == "compiled":
                checkout.compile_in_place(tmp)
            done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "--repeats", str(repeats)],
                                  env=checkout.environment(tmp), cwd=tmp, capture_output=True, text=True)
            lines = done.stdout.strip().splitlines()
            if done.returncode != 0 or not lines:
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                return {"ref": ref, "commit": commit, "error": f"could not time it with this interpreter: {last}"}
            result = json.loads(lines[-1])
            if not Path(result["module"]).is_relative_to(tmp.resolve()):
                return {"ref": ref, "commit": commit, "error": f"imported {result['module']}, not the worktree's code"}
            return {"ref": ref, "commit": commit, **result}
    except checkout.CheckoutError as error:
        return {"ref": ref, "error": str(error)}


def context(with_git: bool) -> dict:
    import capacity_model
    from capacity_model.experiment import default_jobs

    commit = checkout.git("rev-parse", "HEAD") if with_git else None
    return {"version": capacity_model.__version__, "git_commit": commit,
            "python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpu_count": os.cpu_count(), "usable_cpus": default_jobs(),
            "date": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")}


def model_measures() -> dict:
    """The model's own speed: its M/M/s mode at 12 and 2,000 slots, and a service 10 times larger."""
    return {"model_mms_12": measures.model_mms_customers_per_second(12),
            "model_mms_2000": measures.model_mms_customers_per_second(2000),
            "scale_10x": measures.scale_ratio(10, MONTHS)}


def yardsticks() -> dict:
    """The same work done by bare SimPy, SimPy's Resource idiom and ciw, in this run, on this machine."""
    return {"bare_simpy_events_per_second": measures.bare_simpy_events_per_second(),
            "simpy_resource_12": measures.simpy_resource_customers_per_second(12),
            "simpy_resource_2000": measures.simpy_resource_customers_per_second(2000),
            "ciw_12": measures.ciw_customers_per_second(12), "ciw_2000": measures.ciw_customers_per_second(2000)}


def print_suite(suite: dict, single: dict, ref: dict | None) -> None:
    """The figures beside the targets of issue 12 (and the reference commit's, where measured)."""
    events = suite["events_per_replication"]
    bare = events / suite["bare_simpy_events_per_second"]
    ciw_2000 = suite["ciw_2000"]
    rows = [
        ("baseline replication (s)", single["median"], "<= 0.35 on an idle machine, or <= 3x bare SimPy"),
        (f"  bare SimPy for its {events:,} events (s)", bare, f"ratio {single['median'] / bare:.1f}"),
        ("M/M/s, 12 slots (customers/s)", suite["model_mms_12"],
         f">= SimPy Resource {suite['simpy_resource_12']:,.0f}"),
        ("M/M/s, 2,000 slots (customers/s)", suite["model_mms_2000"],
         f">= 5 x ciw {5 * ciw_2000:,.0f}" if ciw_2000 else "ciw not installed (pip install '.[bench]')"),
        ("service 10 times larger (times slower)", suite["scale_10x"]["ratio"],
         "<= 12 (rounds: " + ", ".join(f"{r:.3g}" for r in suite["scale_10x"].get("ratios", [])) + ")"),
        (f"main process, {suite['peak_memory_mb']['replications']:,} replications (MB)",
         suite["peak_memory_mb"]["mb"], "< 300"),
        ("capacity-model --version (s)", suite["start_up_seconds"], "< 0.5"),
    ]
    print(f"{'measure':<46}{'now':>12}{'reference':>12}  target")
    references = {"M/M/s, 12 slots (customers/s)": "model_mms_12", "M/M/s, 2,000 slots (customers/s)": "model_mms_2000"}
    for label, value, target in rows:
        key = references.get(label)
        before = "" if not ref or key is None else f"{ref[key]:,.3g}"
        if ref and label.startswith("service 10"):
            before = f"{ref['scale_10x']['ratio']:.3g}"
        print(f"{label:<46}{value:>12,.3g}{before:>12}  {target}")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time one 24-month replication of the baseline scenario and the "
                                     "whole default run (capacity-model run baseline).")
    parser.add_argument("--repeats", type=positive_int, default=7,
                        help="timed single replications, each a different replication number (default 7)")
    parser.add_argument("--whole-repeats", type=positive_int, default=1,
                        help="times to time the whole default run; the median is reported (default 1)")
    parser.add_argument("--quick", action="store_true", help="fast check: 3 repeats and no whole run")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures and context to this JSON file")
    parser.add_argument("--compare-ref", metavar="GITREF",
                        help="also time the single replication of this git ref (commit, tag, branch) in a temporary "
                        "worktree, and show both medians side by side")
    parser.add_argument("--memory-reps", type=positive_int, default=1000,
                        help="replications for the main process's peak memory (default 1000; about 5 minutes)")
    parser.add_argument("--sweep-reps", type=int, default=0, metavar="N",
                        help="also time the example sweep (15 points x N replications) on 1 and 2 Dask workers, "
                        "and the main process's peak memory (default 0: not timed; 20 is the README's sweep)")
    parser.add_argument("--page-reps", type=int, default=0, metavar="N",
                        help="also time the page's Run (capacity-model app): N replications of 24 months on its "
                        "warm pool of processes, to the run folder (default 0: not timed; 20 is the page's default)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # used by --compare-ref
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else args.repeats

    if args.child:  # in a fresh interpreter whose PYTHONPATH points at an old worktree
        try:
            found = time_single(repeats)
            if not args.quick:
                found["suite"] = model_measures()
            print(json.dumps(found))
        except Exception as error:  # an old API or missing dependency: tell the parent why
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            return 3
        return 0

    print(f"Timing {repeats} single {MONTHS}-month replications of 'baseline' ...", flush=True)
    single = time_single(repeats)
    print(f"Timing {repeats} replications of 'baseline' with and without its oversight layer ...", flush=True)
    oversight = time_oversight(repeats)
    ref = None
    if args.compare_ref:
        print(f"Timing {repeats} single replications of {args.compare_ref} in a temporary worktree ...", flush=True)
        ref = time_ref(args.compare_ref, repeats)
    whole = None
    if not args.quick:
        print(f"Timing the whole default run ({args.whole_repeats}x) ...", flush=True)
        whole = time_whole(args.whole_repeats)

    suite = None
    if not args.quick:
        print("Measuring the M/M/s mode, a service 10 times larger, start-up, memory and the yardsticks ...",
              flush=True)
        suite = {**model_measures(), **yardsticks(), "start_up_seconds": measures.start_up_seconds(),
                 "events_per_replication": measures.events_in_a_baseline_replication(MONTHS),
                 "peak_memory_mb": {"replications": args.memory_reps,
                                    "mb": measures.peak_memory_of_many(args.memory_reps, MONTHS)}}

    sweeps = None
    if args.sweep_reps > 0:
        print(f"Timing the example sweep, 15 points x {args.sweep_reps} replications, on 1 and 2 workers ...",
              flush=True)
        sweeps = [measures.sweep_on_workers(workers, args.sweep_reps, MONTHS) for workers in (1, 2)]

    page = None
    if args.page_reps > 0:
        print(f"Timing the page's Run, {args.page_reps} replications of {MONTHS} months ...", flush=True)
        page = measures.page_run(args.page_reps, MONTHS)

    info = context(with_git=bool(args.json))
    print()
    print(f"capacity-model {info['version']} ({single['engine']} engine), Python {info['python']}, "
          f"{info['usable_cpus']} usable of {info['cpu_count']} CPUs")
    print(f"{'measure':<44}{'median':>10}{'min':>10}{'max':>10}")
    print(f"{f'single replication, {MONTHS} months (s, n={repeats})':<44}"
          f"{single['median']:>10.3f}{single['min']:>10.3f}{single['max']:>10.3f}")
    for name in ("off", "on"):
        found = oversight["seconds"][name]
        label = f"  oversight layer {name} (s, n={repeats})"
        print(f"{label:<44}{statistics.median(found):>10.3f}{min(found):>10.3f}{max(found):>10.3f}")
    print(f"{'  ratio on / off (target <= 1.3)':<44}{oversight['ratio']:>10.2f}")
    if whole:
        label = f"whole run, {whole['replications']} reps x {whole['jobs']} jobs (s, n={args.whole_repeats})"
        print(f"{label:<44}{whole['median']:>10.3f}{min(whole['seconds']):>10.3f}{max(whole['seconds']):>10.3f}")
        print(f"{'replications per second (whole run)':<44}{whole['replications_per_second']:>10.2f}")
    if suite:
        print()
        print_suite(suite, single, ref.get("suite") if ref and "error" not in ref else None)
    if sweeps:
        print()
        print(f"{'sweep, ' + str(sweeps[0]['tasks']) + ' tasks':<30}{'seconds':>10}{'main process (MB)':>20}")
        for found in sweeps:
            print(f"{str(found['workers']) + ' worker(s)':<30}{found['seconds']:>10.1f}{found['peak_memory_mb']:>20.0f}")
        print(f"speed-up of 2 workers over 1: {sweeps[0]['seconds'] / sweeps[1]['seconds']:.2f} (target >= 1.8)")
    if page:
        print()
        print(f"the page's Run, {page['replications']} replications x {page['months']} months on {page['workers']} "
              f"processes: {page['seconds']:.1f} s (target about 15); the same again, kept: {page['kept_seconds']:.2f} s")
    if ref:
        print()
        if "error" in ref:
            print(f"Comparison with {args.compare_ref} skipped: {ref['error']}")
        else:
            short = ref["commit"][:10]
            print(f"single replication median: {args.compare_ref} ({short}, {ref.get('engine', 'plain Python')} "
                  f"engine) {ref['median']:.3f} s, current ({single['engine']} engine) {single['median']:.3f} s")
            print(f"ratio current / {args.compare_ref}: {single['median'] / ref['median']:.3f} "
                  f"(below 1 means the current code is faster)")
            ref["ratio_current_to_ref"] = single["median"] / ref["median"]

    if args.json:
        report = {"context": info, "single_replication": single, "oversight": oversight, "whole_run": whole,
                  "suite": suite, "sweeps": sweeps, "page_run": page, "compare_ref": ref}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nFigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
