"""The engine's environment keeps its queue a day at a time, and gives exactly SimPy's order of events: the same
program run in it and in SimPy's own ``Environment`` does the same things at the same moments in the same order."""

from __future__ import annotations

import random

import pytest
import simpy
from simpy.core import EmptySchedule, Infinity

from capacity_model.engine import environment
from capacity_model.engine.environment import Environment


def busy_service(env: simpy.Environment, seed: int) -> list:
    """Processes that wait random times (often the same moment, or a whole number of days), wake each other,
    interrupt each other and fail, set events months ahead and the same instant; what happened, when, in order."""
    rng = random.Random(seed)
    log: list = []
    signals = [env.event() for _ in range(40)]

    def waits(rng: random.Random) -> float:
        kind = rng.random()
        if kind < 0.2:
            return 0.0  # the same moment
        if kind < 0.4:
            return float(rng.randint(1, 3))  # exactly a day or so on
        if kind < 0.5:
            return rng.uniform(30.0, 400.0)  # months ahead
        return rng.choice([0.25, 0.5, 0.75, rng.random()])

    def worker(name: int):
        local = random.Random(rng.random())
        for step in range(local.randint(5, 30)):
            try:
                if local.random() < 0.1:
                    value = yield signals[local.randrange(len(signals))]
                    log.append((env.now, name, "woken", value))
                else:
                    yield env.timeout(waits(local), value=step)
                    log.append((env.now, name, step))
                if local.random() < 0.1:
                    signal = signals[local.randrange(len(signals))]
                    if not signal.triggered:
                        signal.succeed(name)
                if local.random() < 0.05 and others:
                    target = others[local.randrange(len(others))]
                    if target.is_alive and target is not env.active_process:
                        target.interrupt(name)
            except simpy.Interrupt as interruption:
                log.append((env.now, name, "interrupted by", interruption.cause))

    others = [env.process(worker(name)) for name in range(60)]
    for far in range(20):
        env.timeout(rng.uniform(0.0, 500.0)).callbacks.append(lambda _, far=far: log.append((env.now, "far", far)))
    env.run(until=200.5)
    log.append(("stopped", env.now, env.peek()))
    env.run()
    log.append(("ended", env.now, env.peek()))
    return log


@pytest.mark.parametrize("seed", range(6))
def test_a_busy_program_runs_exactly_as_in_simpys_own_environment(seed):
    expected = busy_service(simpy.Environment(), seed)
    assert len(expected) > 500  # (a program with plenty of ties and far events)
    assert busy_service(Environment(), seed) == expected


def test_events_due_on_later_days_wait_outside_simpys_heap_until_their_day():
    env, heard = Environment(), []
    for day in range(365, 0, -1):  # set in reverse, so the order comes from the queue
        env.timeout(day + 0.5).callbacks.append(lambda _: heard.append(env.now))
    env.timeout(0.5).callbacks.append(lambda _: heard.append(env.now))
    assert len(env._queue) == 1  # only today's
    env.run(until=100.0)
    assert sorted(entry[0] for entry in env._queue) == [100.0, 100.5]  # the run's end (as SimPy leaves it), and
    assert len(env._later) == 265  # day 100's event; the rest still wait
    env.run()
    assert heard == [day + 0.5 for day in range(366)]
    assert env.events_processed == 366 + 2  # (and the event that ended the first run, twice: put back, as SimPy
    # puts it, to go on with its callbacks after the one that stopped the run)


def test_its_priorities_are_simpys():
    """Its alarms are scheduled with its own numbers for SimPy's priorities, among SimPy's events."""
    assert (environment.URGENT, environment.NORMAL) == (simpy.events.URGENT, simpy.events.NORMAL)


def test_a_run_to_an_event_stops_part_of_the_way_through_its_callbacks_and_goes_on_from_there():
    """As in SimPy: the callbacks after the run's own run when the environment resumes."""
    def program(env: simpy.Environment) -> list:
        heard: list = []
        done = env.timeout(3.0, value="done")
        done.callbacks.append(lambda _: heard.append("first"))
        value = env.run(until=done)
        done.callbacks.append(lambda _: heard.append("added"))
        heard.append((value, env.now))
        env.timeout(5.0).callbacks.append(lambda _: heard.append(env.now))
        env.run()
        return heard

    assert program(Environment()) == program(simpy.Environment()) == ["first", ("done", 3.0), "added", 8.0]


def test_a_failure_nothing_handles_ends_the_run_as_in_simpy():
    def failing(env: simpy.Environment):
        yield env.timeout(2.0)
        raise KeyError("a missing family")

    errors = []
    for env in (Environment(), simpy.Environment()):
        env.process(failing(env))
        with pytest.raises(KeyError) as raised:
            env.run()
        errors.append((env.now, raised.value.args, type(raised.value.__cause__)))
    assert errors[0] == errors[1] == (2.0, ("a missing family",), KeyError)


def test_an_empty_environment_says_so_and_one_started_late_counts_its_days_from_there():
    env = Environment(initial_time=100.0)
    assert env.peek() == Infinity
    with pytest.raises(EmptySchedule):
        env.step()
    heard = []
    env.timeout(30.0).callbacks.append(lambda _: heard.append(env.now))
    env.timeout(0.5).callbacks.append(lambda _: heard.append(env.now))
    assert len(env._queue) == 1  # day 100's
    env.run()
    assert heard == [100.5, 130.0]


def test_let_go_drops_the_events_to_come_and_the_processes_waiting_for_them():
    env = Environment()

    def waiting(env):
        yield env.timeout(50.0)

    processes = [env.process(waiting(env)) for _ in range(3)]
    env.run(until=1.0)
    targets = [process.target for process in processes]
    env.let_go()
    assert env.peek() == Infinity
    assert all(target.callbacks is None for target in targets)
