"""Alarms ring when they were set to, in SimPy's order of events, as the Timeouts they replace would, whether
they go straight into SimPy's queue or wait in the agenda for their week."""

from __future__ import annotations

import pytest
import simpy

from capacity_model.engine.alarm import Agenda, Alarm, Turn


class Note(Alarm):
    """Notes the time it rang and its name."""

    def __init__(self, agenda: Agenda, delay: float, heard: list, name: str) -> None:
        self.env, self.heard, self.name = agenda.env, heard, name
        super().__init__(agenda, delay)

    def rang(self) -> None:
        self.heard.append((self.env.now, self.name))


def note_timeout(env: simpy.Environment, delay: float, heard: list, name: str) -> None:
    env.timeout(delay).callbacks.append(lambda _: heard.append((env.now, name)))


def test_alarms_and_timeouts_ring_in_time_then_the_order_they_were_set():
    env = simpy.Environment()
    agenda, heard = Agenda(env), []
    note_timeout(env, 1.0, heard, "timeout a")
    Note(agenda, 1.0, heard, "alarm b")
    Note(agenda, 0.5, heard, "alarm c")
    note_timeout(env, 1.0, heard, "timeout d")
    Note(agenda, 1.0, heard, "alarm e")
    env.run(until=2.0)  # (the agenda turns every week, for ever: a run needs an end)
    assert heard == [(0.5, "alarm c"), (1.0, "timeout a"), (1.0, "alarm b"), (1.0, "timeout d"), (1.0, "alarm e")]


def test_alarms_set_months_ahead_ring_at_their_moment_in_the_order_set():
    """Alarms due 100.3 days on wait in the agenda for their week; set now, they ring at exactly the moment a
    Timeout would (the same arithmetic) and, among everything due then, in the order set: after a Timeout set
    before them, before one set after (which goes into SimPy's queue long before they do), and among
    themselves as set, including one set on day 50 (still in the agenda) and one on day 95 (by then straight
    into SimPy's queue)."""
    env = simpy.Environment()
    agenda, heard = Agenda(env), []
    due = 0.1 + 100.2  # as SimPy works it out from a delay
    note_timeout(env, 0.1, heard, "start")
    env.run(until=0.1)
    note_timeout(env, 100.2, heard, "timeout before")
    Note(agenda, 100.2, heard, "alarm 1")
    Note(agenda, 100.2, heard, "alarm 2")
    note_timeout(env, 100.2, heard, "timeout after")
    env.run(until=50.0)
    Note(agenda, due - env.now, heard, "alarm on day 50")
    env.run(until=95.0)
    Note(agenda, due - env.now, heard, "alarm on day 95")
    env.run(until=120.0)
    assert heard == [(0.1, "start")] + [(due, name) for name in (
        "timeout before", "alarm 1", "alarm 2", "timeout after", "alarm on day 50", "alarm on day 95")]
    assert [type(event) for *_, event in env._queue if isinstance(event, Alarm)] == [Turn]  # nothing else waits


def test_the_agenda_keeps_far_alarms_out_of_simpys_queue():
    env = simpy.Environment()
    agenda, heard = Agenda(env), []
    for day in range(1, 366):
        Note(agenda, day + 0.5, heard, f"day {day}")
    assert len(env._queue) <= 1 + 14  # the first turn and the next two weeks' alarms
    env.run(until=400.0)
    assert heard == [(day + 0.5, f"day {day}") for day in range(1, 366)]


def test_an_alarm_can_set_the_next_and_a_run_stops_at_its_end():
    env = simpy.Environment()
    agenda, heard = Agenda(env), []

    class Tick(Alarm):
        def rang(self) -> None:
            heard.append(env.now)
            Tick(agenda, 10.0)

    Tick(agenda, 0.25)
    env.run(until=40.0)
    assert heard == [0.25, 10.25, 20.25, 30.25]


def test_an_agenda_started_late_keeps_its_weeks_and_refuses_a_negative_delay():
    env = simpy.Environment(initial_time=100.0)
    agenda, heard = Agenda(env), []
    Note(agenda, 30.0, heard, "a month on")
    Note(agenda, 1.0, heard, "tomorrow")
    env.run(until=200.0)
    assert heard == [(101.0, "tomorrow"), (130.0, "a month on")]
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="cannot be set"):
            Note(agenda, bad, heard, "never")
