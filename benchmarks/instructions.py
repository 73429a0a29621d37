"""Count the instructions one baseline replication takes, under Valgrind's callgrind, now and at a reference.

    python benchmarks/instructions.py [--compare-ref GITREF] [--months 24]

A count hardly moves, whatever else the machine is doing (the same code in two checkouts: up to 1%), so
it measures changes smaller than the noise of timings on a shared machine (a third or more). It is not a
time: code that touches memory widely costs more time per instruction. Each count is a fresh interpreter
under callgrind, many times slower than normally (a few minutes for a 24-month replication), as many at
once as there are CPUs: start-up alone (imports, ``load_scenario("baseline")`` and a first replication of
one month, which does the lazy imports and first calls), then start-up and one replication with the
oversight layer on, and with it off. A replication's count is the second less the first, as in the
benchmark's timings, which also begin with an untimed replication.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkout  # noqa: E402  (beside this script)
import measures  # noqa: E402

PARTS = ("start-up", "on", "off")
CHILD = f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n" + """
import capacity_model
from measures import _api  # this commit's package or an older one's
load_scenario, run_replication, _, _ = _api()
part, months = sys.argv[1], int(sys.argv[2])
scenario = load_scenario("baseline")
run_replication(scenario, 0, 999, 1)  # first use: lazy imports and first calls, with the layer on (so all of it)
if part == "off" and "oversight" in type(scenario).model_fields:
    scenario = scenario.model_copy(update={"oversight": None})
if part.startswith("without-"):  # the layer on, one of its daily rounds doing nothing (--by-round)
    import importlib
    module, round_class = part[len("without-"):].split(":")
    setattr(getattr(importlib.import_module(module), round_class), "day", lambda *args: None)
if part != "start-up":
    run_replication(scenario, 0, 1000, months)
print(capacity_model.__file__)
"""
"""What each counted interpreter runs: ``python -c CHILD part months`` (``measures`` beside this script)."""
ROUNDS = {"visits round": "capacity_model.engine.oversight.visits:VisitRound",
          "supervision round": "capacity_model.engine.oversight.supervision:SupervisionRound",
          "IRO meetings round": "capacity_model.engine.oversight.iro_service:IroMeetings"}
"""The oversight layer's daily rounds (label: module and class whose ``day`` is the round), for ``--by-round``."""


def count(part: str, months: int, folder: Path | None = None) -> int:
    """Instructions a fresh interpreter runs for ``part`` (start-up alone, or with a replication on or off), with
    the package imported from ``folder`` (a reference's worktree) or as installed."""
    env = {**(os.environ if folder is None else checkout.environment(folder)), "PYTHONHASHSEED": "0"}  # same count
    with tempfile.TemporaryDirectory(prefix="capacity-callgrind-") as scratch:
        out = Path(scratch) / "callgrind.out"
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                               "-c", CHILD, part, str(months)], env=env, cwd=folder, capture_output=True, text=True)
        if done.returncode != 0 or not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"callgrind failed for '{part}': {last}")
        module = Path(done.stdout.strip().splitlines()[-1]).resolve()
        if folder is not None and not module.is_relative_to(folder.resolve()):
            raise RuntimeError(f"imported {module}, not the worktree's code")
        found = re.search(r"^(?:summary|totals):\s*(\d+)", out.read_text(encoding="utf-8"), re.MULTILINE)
        if found is None:
            raise RuntimeError(f"no total in callgrind's output for '{part}'")
        return int(found.group(1))


def replication_counts(versions: dict[str, Path | None], months: int,
                       by_round: bool = False) -> dict[str, dict[str, int]]:
    """For each version (its name: the worktree it is imported from, None for the installed package), start-up's
    count and one replication's with the oversight layer on and off (and, ``by_round``, for the installed
    package, with each of the layer's rounds doing nothing: ``without-<module:class>``), start-up taken off;
    every count at once, as many as there are CPUs."""
    jobs = [(name, part) for name in versions for part in PARTS]
    if by_round:
        jobs += [("current", f"without-{where}") for where in ROUNDS.values()]
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        totals = dict(zip(jobs, pool.map(lambda job: count(job[1], months, versions[job[0]]), jobs)))
    counts = {}
    for name in versions:
        start_up = totals[name, "start-up"]
        counts[name] = {"start-up": start_up, **{part: total - start_up for (version, part), total in totals.items()
                                                 if version == name and part != "start-up"}}
    return counts


def layer_figures(counts: dict[str, int]) -> dict[str, float]:
    return {"layer": counts["on"] - counts["off"], "ratio": counts["on"] / counts["off"]}


def print_by_round(counts: dict[str, int]) -> None:
    """The layer's instructions shared out: each round's is the count with the layer on less the count with that
    round doing nothing (the rounds read nothing of each other's); the rest is the families' events (opened,
    changed stage, closed, a new social worker), the daily process and the snapshots."""
    layer = counts["on"] - counts["off"]
    shares = {label: counts["on"] - counts[f"without-{where}"] for label, where in ROUNDS.items()}
    shares["the rest: families' events, snapshots"] = layer - sum(shares.values())
    print(f"\n{'the oversight layer by part (current)':<40}{'millions':>16}{'share':>8}")
    for label, n in shares.items():
        print(f"  {label:<38}{n / 1e6:>16,.0f}{n / layer:>8.0%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Count the instructions of one baseline replication (Valgrind's "
                                     "callgrind), with the oversight layer on and off, now and at a reference.")
    parser.add_argument("--compare-ref", metavar="GITREF",
                        help="also count this git ref (commit, tag, branch), checked out in a temporary worktree")
    parser.add_argument("--months", type=int, default=24, help="months after the warm-up (default 24)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the counts to this JSON file")
    parser.add_argument("--by-round", action="store_true",
                        help="also count the current code with each of the oversight layer's daily rounds doing "
                             "nothing, and share the layer's instructions out by round (three more counts)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    if args.months < 1:
        parser.error(f"--months must be at least 1, got {args.months}")

    print(f"Counting start-up and one {args.months}-month replication, oversight on and off "
          f"{'now and at ' + args.compare_ref + ' ' if args.compare_ref else ''}"
          "(a few minutes each under callgrind) ...", flush=True)
    try:
        with contextlib.ExitStack() as stack:
            versions: dict[str, Path | None] = {"current": None}
            if args.compare_ref:
                commit, folder = stack.enter_context(checkout.worktree(args.compare_ref))
                if measures.engine_kind() == "compiled":  # like for like: the reference compiled too
                    print(f"{args.compare_ref}: {checkout.compile_in_place(folder)} engine", flush=True)
                versions[args.compare_ref] = folder
            found = replication_counts(versions, args.months, args.by_round)
    except (checkout.CheckoutError, RuntimeError) as error:
        print(f"instructions.py: {error}", file=sys.stderr)
        return 1

    print(f"\n{'instructions (millions)':<40}" + "".join(f"{name[:14]:>16}" for name in found))
    rows = [("start-up", "start-up"), ("replication, oversight on", "on"), ("replication, oversight off", "off")]
    for label, key in rows:
        print(f"{label:<40}" + "".join(f"{counts[key] / 1e6:>16,.0f}" for counts in found.values()))
    layers = {name: layer_figures(counts) for name, counts in found.items()}
    print(f"{'the oversight layer (on less off)':<40}"
          + "".join(f"{f['layer'] / 1e6:>16,.0f}" for f in layers.values()))
    print(f"{'ratio on / off (target <= 1.3 in time)':<40}" + "".join(f"{f['ratio']:>16.3f}" for f in layers.values()))
    if args.compare_ref:
        now, ref = found["current"], found[args.compare_ref]
        print(f"\ncurrent / {args.compare_ref}: oversight on {now['on'] / ref['on']:.3f}, "
              f"off {now['off'] / ref['off']:.3f} (below 1: the current code runs fewer instructions)")
    if args.by_round:
        print_by_round(found["current"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        record = {"months": args.months, "counts": found, "commit": checkout.git("rev-parse", "HEAD"),
                  "reference": {"ref": args.compare_ref, "commit": commit} if args.compare_ref else None}
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
