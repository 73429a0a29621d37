"""Alarms ring when they were set to, in SimPy's order of events, as the Timeouts they replace would, whether set for
the day the clock is in (into SimPy's heap) or a later day (waiting outside it, as they are, until their day)."""

from __future__ import annotations

import pytest
import simpy

from capacity_model.engine.environment import Alarm, Environment


class Note(Alarm):
    """Notes the time it rang and its name."""

    def __init__(self, env: Environment, delay: float, heard: list, name: str) -> None:
        self.env, self.heard, self.name = env, heard, name
        super().__init__(env, delay)

    def rang(self) -> None:
        self.heard.append((self.env.now, self.name))


def note_timeout(env: simpy.Environment, delay: float, heard: list, name: str) -> None:
    env.timeout(delay).callbacks.append(lambda _: heard.append((env.now, name)))


def test_alarms_and_timeouts_ring_in_time_then_the_order_they_were_set():
    env, heard = Environment(), []
    note_timeout(env, 1.0, heard, "timeout a")
    Note(env, 1.0, heard, "alarm b")
    Note(env, 0.5, heard, "alarm c")
    note_timeout(env, 1.0, heard, "timeout d")
    Note(env, 1.0, heard, "alarm e")
    env.run()
    assert heard == [(0.5, "alarm c"), (1.0, "timeout a"), (1.0, "alarm b"), (1.0, "timeout d"), (1.0, "alarm e")]


def test_alarms_set_months_ahead_ring_at_their_moment_in_the_order_set():
    """Alarms due 100.3 days on ring at exactly the moment a Timeout would (the same arithmetic) and, among
    everything due then, in the order set: after a Timeout set before them, before one set after, and among
    themselves as set, including one set on day 50 and one on day 100 (by then due the same day)."""
    env, heard = Environment(), []
    due = 0.1 + 100.2  # as SimPy works it out from a delay
    note_timeout(env, 0.1, heard, "start")
    env.run(until=0.1)
    note_timeout(env, 100.2, heard, "timeout before")
    Note(env, 100.2, heard, "alarm 1")
    Note(env, 100.2, heard, "alarm 2")
    note_timeout(env, 100.2, heard, "timeout after")
    env.run(until=50.0)
    Note(env, due - env.now, heard, "alarm on day 50")
    env.run(until=100.0)
    Note(env, due - env.now, heard, "alarm on day 100")
    env.run()
    assert heard == [(0.1, "start")] + [(due, name) for name in (
        "timeout before", "alarm 1", "alarm 2", "timeout after", "alarm on day 50", "alarm on day 100")]


def test_an_alarm_can_set_the_next_and_a_run_stops_at_its_end():
    env, heard = Environment(), []

    class Tick(Alarm):
        def rang(self) -> None:
            heard.append(env.now)
            Tick(env, 10.0)

    Tick(env, 0.25)
    env.run(until=40.0)
    assert heard == [0.25, 10.25, 20.25, 30.25]


def test_an_alarm_once_rung_can_be_set_again_and_rings_where_a_new_timeout_would():
    """As a family's stage end is: set again as it rings, for the same moment, later that day and days later, it
    rings where a Timeout set then would in SimPy's own environment, among Timeouts set just before and after."""
    def ring(env, heard: list, delays: list, set_again) -> None:
        heard.append((env.now, "rang"))
        if delays:
            delay = delays.pop(0)
            note_timeout(env, delay, heard, "set before")
            set_again(delay)
            note_timeout(env, delay, heard, "set after")

    env, heard, delays = Environment(), [], [0.0, 0.5, 30.25, 2.0]

    class Again(Alarm):
        def rang(self) -> None:
            ring(env, heard, delays, lambda delay: env.set(self, delay))

    Again(env, 1.0)
    env.run()

    simpy_env, expected, simpy_delays = simpy.Environment(), [], [0.0, 0.5, 30.25, 2.0]

    def timeout_again(delay: float) -> None:
        simpy_env.timeout(delay).callbacks.append(lambda _: ring(simpy_env, expected, simpy_delays, timeout_again))

    timeout_again(1.0)
    simpy_env.run()
    assert heard == expected
    assert [name for _, name in heard[:4]] == ["rang", "set before", "rang", "set after"]  # (the same moment)
    assert heard[-1] == (33.75, "set after") and len(heard) == 13


def test_an_alarm_refuses_a_negative_delay_when_made_or_set_again():
    env, heard = Environment(initial_time=100.0), []
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="cannot be set"):
            Note(env, bad, heard, "never")
    rung = Note(env, 1.0, heard, "once")
    env.run()
    assert heard == [(101.0, "once")] and env.now == 101.0
    with pytest.raises(ValueError, match="cannot be set"):
        env.set(rung, -0.5)
    env.run()
    assert heard == [(101.0, "once")]
