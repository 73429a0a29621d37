"""What benchmark.py measures besides one baseline replication: the model's M/M/s mode, a service ten times
larger, the main process's memory over many replications, start-up, and yardsticks run in the same process
(bare SimPy events, SimPy's Resource idiom for M/M/c, ciw) so that figures from a busy machine still compare.

Every function returns plain numbers; ``benchmark.py`` prints and stores them. Imports of the package go
through ``_api`` so the same functions time an older commit's code (``--compare-ref``).
"""

from __future__ import annotations

import gc
import math
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MMS_UTILISATION = 0.9
MMS_MEAN_DAYS = 1.0
MMS_CUSTOMERS = 40_000


def _api():
    """(load_scenario, run_replication, Scenario, merge) from this commit's package or an older one."""
    from capacity_model import load_scenario
    try:
        from capacity_model import run_replication
    except ImportError:  # before the layered package (#9)
        from capacity_model.model import run_replication
    try:
        from capacity_model.scenario import Scenario, merge_scenario_data
    except ImportError:
        from capacity_model.scenario import Scenario
        from capacity_model.scenario_files import merge_scenario_data
    return load_scenario, run_replication, Scenario, merge_scenario_data


def engine_kind() -> str:
    """'compiled' when the engine imported is the C extensions setup.py builds, else 'plain Python'."""
    import capacity_model.engine.replication as replication

    return "compiled" if Path(replication.__file__).suffix in (".so", ".pyd") else "plain Python"


def seconds_with_its_garbage(work) -> float:
    """Seconds ``work`` takes, with the collection of the garbage it leaves behind. A replication pauses the garbage
    collector, so what it made is collected at the first allocation after it, in whatever is timed next: a run
    of a larger service, or with more parts, would leave its collection to the run timed after it. So the
    garbage left before is collected untimed first, and the work's own within its time."""
    gc.collect(0)
    started = time.perf_counter()
    work()
    gc.collect(0)  # what a replication made is all in the youngest generation
    return time.perf_counter() - started


def _median_time(work, repeats: int) -> float:
    return statistics.median(seconds_with_its_garbage(work) for _ in range(repeats))


# --- yardsticks --------------------------------------------------------------------------------


def bare_simpy_events_per_second(events: int = 200_000) -> float:
    """Plain timeouts in 100 processes: the floor of any SimPy model's cost per event."""
    import simpy

    def ticking(env, n):
        for _ in range(n):
            yield env.timeout(1.0)

    def work():
        env = simpy.Environment()
        for _ in range(100):
            env.process(ticking(env, events // 100))
        env.run()

    return events / _median_time(work, 3)


def simpy_resource_customers_per_second(servers: int, customers: int = MMS_CUSTOMERS) -> float:
    """M/M/c in SimPy's own idiom: a Resource of c servers, a process per customer."""
    import simpy

    rate = MMS_UTILISATION * servers / MMS_MEAN_DAYS

    def work():
        env = simpy.Environment()
        servers_ = simpy.Resource(env, capacity=servers)
        rng = random.Random(1)

        def customer():
            with servers_.request() as request:
                yield request
                yield env.timeout(rng.expovariate(1 / MMS_MEAN_DAYS))

        def source():
            for _ in range(customers):
                yield env.timeout(rng.expovariate(rate))
                env.process(customer())

        env.process(source())
        env.run()

    return customers / _median_time(work, 3)


def ciw_customers_per_second(servers: int, customers: int = MMS_CUSTOMERS) -> float | None:
    """M/M/c in ciw (a queueing network library), or None if ciw is not installed (pip install '.[bench]')."""
    try:
        import ciw
    except ImportError:
        return None
    rate = MMS_UTILISATION * servers / MMS_MEAN_DAYS

    def work():
        ciw.seed(1)
        network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate)],
                                     service_distributions=[ciw.dists.Exponential(1 / MMS_MEAN_DAYS)],
                                     number_of_servers=[servers])
        ciw.Simulation(network).simulate_until_max_time(customers / rate)

    return customers / _median_time(work, 3)


# --- the model ---------------------------------------------------------------------------------


def mms_scenario(slots: int, customers: int = MMS_CUSTOMERS):
    """The model's M/M/s mode (scenarios/verification/mms.yaml) with ``slots`` = workers x cap, long enough for
    about ``customers`` referrals: one worker per slot up to 100 workers, then caps of 20."""
    import yaml

    _, _, Scenario, merge = _api()
    workers, cap = (slots, 1) if slots <= 100 else (slots // 20, 20)
    rate_per_day = MMS_UTILISATION * slots / MMS_MEAN_DAYS
    months = max(1, math.ceil(customers / rate_per_day / 30.4))
    data = merge(yaml.safe_load((REPO / "scenarios" / "verification" / "mms.yaml").read_text()), {
        "warm_up_months": 0,
        "referrals": {"new_children_per_year": rate_per_day * 365},
        "pathway": {"cin_plan_days": {"kind": "exponential", "mean_days": MMS_MEAN_DAYS}},
        "allocation": {"caseload_cap": cap, "newly_qualified_caseload_cap": cap},
        "teams": {"pool": {"posts_fte": workers}},
        "initial_state": {"staff": {"pool": {"experienced": workers}}},
    })
    return Scenario.model_validate(data), months, rate_per_day * months * 30.4


def model_mms_customers_per_second(slots: int) -> float:
    _, run_replication, _, _ = _api()
    scenario, months, customers = mms_scenario(slots)
    return customers / _median_time(lambda: run_replication(scenario, 0, 1, months), 3)


def scaled_baseline(factor: int):
    """The baseline with ``factor`` times the referrals, posts, staff, open children, team managers, IROs and
    minute-takers."""
    load_scenario, _, Scenario, _ = _api()
    data = load_scenario("baseline").model_dump(mode="json")
    data["referrals"]["new_children_per_year"] *= factor
    for team in data["teams"].values():
        team["posts_fte"] *= factor
    for section in ("allocated_children", "unallocated_children"):
        data["initial_state"][section] = {k: v * factor for k, v in data["initial_state"][section].items()}
    data["initial_state"]["staff"] = {team: {k: v * factor for k, v in staff.items()}
                                      for team, staff in data["initial_state"]["staff"].items()}
    managers = data["workforce"]["team_managers"]
    managers["posts_fte"] *= factor
    managers["in_post_fte"] *= factor
    data["workforce"]["recruitment"]["newly_qualified_per_year"] *= factor
    iro_service = (data.get("oversight") or {}).get("iro_service")
    if iro_service is not None:  # the IROs and minute-takers too, or their caseloads would be ten times the baseline's
        for field in ("in_post_fte", "minute_takers_fte"):
            if iro_service.get(field) is not None:
                iro_service[field] *= factor
    return Scenario.model_validate(data)


def scale_ratio(factor: int = 10, months: int = 24, rounds: int = 3) -> dict:
    """Seconds for one replication of the baseline and of a service ``factor`` times larger, and their ratio.

    On a shared machine the speed of both drifts by a fifth or more over minutes, and not equally: the baseline's
    data fit in the shared cache and the larger service's do not. So the ratio is measured ``rounds`` times, each
    a baseline (the median of 3) then the larger service at once, and the median of those ratios is reported, with
    each round's."""
    _, run_replication, _, _ = _api()
    small, large = scaled_baseline(1), scaled_baseline(factor)
    run_replication(small, 0, 999, months)
    pairs = []
    for _ in range(rounds):
        seconds_small = _median_time(lambda: run_replication(small, 0, 1000, months), 3)
        pairs.append((seconds_small, seconds_with_its_garbage(lambda: run_replication(large, 0, 1000, months))))
    ratios = [seconds_large / seconds_small for seconds_small, seconds_large in pairs]
    return {"factor": factor, "seconds": statistics.median(s for s, _ in pairs),
            f"seconds_{factor}x": statistics.median(l for _, l in pairs),
            "ratio": statistics.median(ratios), "ratios": ratios}


def events_in_a_baseline_replication(months: int = 24) -> int:
    """SimPy events one baseline replication processes (counted in a separate, untimed run): what its
    environment takes from its queue, however they were put there (the engine's alarms too)."""
    load_scenario, run_replication, _, _ = _api()
    try:  # the engine's own environment, which counts them
        from capacity_model.engine.environment import Environment
        counts = hasattr(Environment(), "events_processed")
    except ImportError:  # (an older commit's engine ran in SimPy's)
        from simpy import Environment
        counts = False
    if counts:
        from capacity_model.engine.replication import Replication

        replication = Replication(load_scenario("baseline"), 0, 1000, months, lambda month_end: None)
        replication.run()
        return replication.env.events_processed

    counted = [0]  # (an older commit's, a Python class: its step counted as it is called)
    original = Environment.step

    def step(self):
        counted[0] += 1
        return original(self)

    Environment.step = step
    try:
        run_replication(load_scenario("baseline"), 0, 1000, months)
    finally:
        Environment.step = original
    return counted[0]


def own_peak_mb() -> float:
    """This process's peak resident memory (MB) since its program started: Linux's ``VmHWM``, which a new
    program starts afresh. ``ru_maxrss`` (the fallback elsewhere) carries over ``exec``, so in a fresh
    interpreter started by a large process it reports that process's peak: 297 MB for 1,000 replications
    inside a full benchmark run (the benchmark's own peak by then), 242 MB read this way."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_OWN_PEAK = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
             "from measures import own_peak_mb")


def peak_memory_of_many(replications: int, months: int = 24, jobs: int = 2) -> float:
    """Peak resident memory (MB) of the main process running ``replications`` replications in ``jobs``
    processes (the workers' memory not included), in a fresh interpreter."""
    code = (f"{_OWN_PEAK}; from capacity_model import load_scenario, run_experiment; "
            f"r = run_experiment(load_scenario('baseline'), {replications}, {months}, 0, {jobs}, progress=False); "
            "print(own_peak_mb())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def start_up_seconds(repeats: int = 5) -> float:
    """Median wall time of ``capacity-model --version`` (the interpreter's own start included)."""
    command = [sys.executable, "-m", "capacity_model", "--version"]
    return _median_time(lambda: subprocess.run(command, capture_output=True, check=True), repeats)


SWEEP_FILE = Path(__file__).resolve().parent.parent / "sweeps" / "locality-by-support-officers.yaml"


def sweep_on_workers(workers: int, replications: int, months: int = 24) -> dict:
    """Wall time (s) and the main process's peak memory (MB) of ``capacity-model sweep`` of the example
    sweep (15 points) with ``replications`` each, on a Dask LocalCluster of ``workers``, in a fresh
    interpreter (cluster start-up included; the workers' memory not included)."""
    with tempfile.TemporaryDirectory() as folder:
        code = (f"{_OWN_PEAK}; import time; from capacity_model.interface.cli import main; t = time.perf_counter(); "
                f"main(['sweep', {str(SWEEP_FILE)!r}, '--reps', '{replications}', '--months', '{months}', "
                f"'--workers', '{workers}', '--out', {folder + '/sweep'!r}]); "
                "print(time.perf_counter() - t, own_peak_mb())")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, mb = map(float, done.stdout.strip().splitlines()[-1].split())
    return {"workers": workers, "tasks": 15 * replications, "seconds": seconds, "peak_memory_mb": mb}


def page_run(replications: int = 20, months: int = 24) -> dict:
    """The page's Run button: a run job of the baseline on the page's pool of processes (started and
    warmed first, as the page's is after its first run), until its run folder is written; then the same
    levers again under another name (kept: nothing runs)."""
    from capacity_model.experiment import default_jobs
    from capacity_model.experiment.executors import KeptPool
    from capacity_model.interface.app.jobs import Jobs

    load_scenario, _, _, _ = _api()
    scenario = load_scenario("baseline")
    workers = default_jobs()
    pool = KeptPool(workers)
    try:
        with tempfile.TemporaryDirectory() as folder:
            jobs = Jobs(Path(folder), pool, workers)
            jobs.run(scenario, workers, 1, seed=999).finished.wait()  # the processes started and warm
            start = time.perf_counter()
            jobs.run(scenario, replications, months, seed=0).finished.wait()
            first = time.perf_counter() - start
            start = time.perf_counter()
            jobs.run(scenario.model_copy(update={"name": "again"}), replications, months, seed=0).finished.wait()
            kept = time.perf_counter() - start
    finally:
        pool.close()
    return {"replications": replications, "months": months, "workers": workers, "seconds": first,
            "kept_seconds": kept}
