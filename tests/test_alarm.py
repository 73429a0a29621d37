"""Alarms ring in SimPy's order of events, as the Timeouts they replace would."""

from __future__ import annotations

import simpy

from capacity_model.engine.alarm import Alarm


class Note(Alarm):
    def __init__(self, env: simpy.Environment, delay: float, heard: list, name: str) -> None:
        self.env, self.heard, self.name = env, heard, name
        super().__init__(env, delay)

    def rang(self) -> None:
        self.heard.append((self.env.now, self.name))


def test_alarms_and_timeouts_ring_in_time_then_the_order_they_were_set():
    env = simpy.Environment()
    heard: list = []
    env.timeout(1.0).callbacks.append(lambda _: heard.append((env.now, "timeout a")))
    Note(env, 1.0, heard, "alarm b")
    Note(env, 0.5, heard, "alarm c")
    env.timeout(1.0).callbacks.append(lambda _: heard.append((env.now, "timeout d")))
    Note(env, 1.0, heard, "alarm e")
    env.run()
    assert heard == [(0.5, "alarm c"), (1.0, "timeout a"), (1.0, "alarm b"), (1.0, "timeout d"), (1.0, "alarm e")]


def test_an_alarm_can_set_the_next_and_a_run_stops_at_its_end():
    env = simpy.Environment()
    heard: list = []

    class Tick(Alarm):
        def rang(self) -> None:
            heard.append(env.now)
            Tick(env, 1.0)

    Tick(env, 0.25)
    env.run(until=3.0)
    assert heard == [0.25, 1.25, 2.25]
