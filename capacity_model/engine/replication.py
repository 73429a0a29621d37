"""One replication of the service, wired from its components and run day by day with SimPy.

The components and what each does:

- ``Horizon``: the dates and days covered, warm-up included; ``ScenarioInForce``: the
  scenario with the interventions active today, and the dated changes;
- ``Referrals``: new families arriving; ``Pathway``: every open family's journey,
  transfers, closure and re-referral; ``InitialState``: the service on the origin date;
- ``AllocationDesk``: the queues, meetings and reallocations, the only place a family is
  given to or taken from a social worker;
- ``Workforce``: the register of who is in post, leaving, recruitment, agency, absence,
  support and the interim team, reviewed monthly; ``CostLedger`` and ``Payroll``: cost;
- ``Oversight`` (when the scenario has it): statutory visits, supervision and the IRO
  service, met each working day in the time each has;
- ``Monitor``: the month-end observations, handed to ``emit``.

They run in the engine's ``Environment``: SimPy's, its queue of events kept a day at a time.
Events within a day happen in the order of ``day_plan.py``. Randomness comes from named
streams (``streams.py``) so that results are identical whichever process runs them.
The engine knows nothing of files, the command line, charts or KPIs.
"""

from __future__ import annotations

from typing import Callable

from ..measures import MonthEnd
from ..scenario import Scenario
from .costs import CostLedger
from .environment import Environment
from .day_plan import RUN_ENDS
from .workforce.payroll import Payroll
from .desk import AllocationDesk
from .horizon import Horizon
from .in_force import ScenarioInForce
from .initial_state import InitialState
from .monitor import Monitor
from .oversight import Oversight
from .pathway import Pathway
from .referrals import Referrals
from .streams import RandomStreams
from .tally import Tally
from .workforce import Workforce

class Replication:
    """The children's social care service of one scenario, for one replication of ``months`` months."""

    def __init__(self, scenario: Scenario, seed: int, replication: int, months: int,
                 emit: Callable[[MonthEnd], None]):
        self.env = env = Environment()
        self.horizon = horizon = Horizon(scenario, months)
        self.streams = streams = RandomStreams(seed, replication)
        self.in_force = in_force = ScenarioInForce(env, scenario, horizon)
        self.tally = Tally()
        self.ledger = CostLedger()
        self.workforce = Workforce(env, in_force, horizon, streams, Payroll(self.ledger, in_force))
        self.desk = AllocationDesk(env, in_force, horizon, streams, self.workforce.register, self.tally)
        self.workforce.serve(self.desk)
        self.oversight = (Oversight(env, in_force, horizon, streams, self.workforce.support)
                          if scenario.oversight is not None else None)
        self.pathway = Pathway(env, in_force, horizon, self.desk, self.tally, self.oversight)
        self.referrals = Referrals(env, in_force, horizon, streams, self.pathway)
        self.initial_state = InitialState(in_force, horizon, streams, self.workforce, self.referrals,
                                          self.pathway, self.desk, self.tally)
        self.monitor = Monitor(env, in_force, horizon, self.tally, self.workforce,
                               self.ledger, self.desk.moves, emit, self.oversight)

    def start(self) -> None:
        """Put the initial state in place and start every process (nothing has happened yet)."""
        env = self.env
        self.initial_state.populate()
        env.process(self.referrals.arrivals())
        env.process(self.desk.meetings())
        env.process(self.desk.reallocations(self.pathway.open_families))
        env.process(self.monitor.snapshots())
        if self.oversight is not None:
            env.process(self.oversight.days())
        if self.in_force.base.interventions:
            env.process(self.in_force.interventions())

    def run(self) -> None:
        """Simulate from the origin to the last reported month end."""
        self.start()
        self.env.run(until=self.horizon.horizon_day + RUN_ENDS)

    def let_go(self) -> None:
        """Once run: let go of the families, the workers, their tasks and the events and processes still to come,
        so that they are freed as soon as the replication is, by reference counting, not by the garbage collector.
        Nothing can run after.

        A replication's objects point at each other in cycles (a family and its social worker, a family and its
        place in a queue, a process and the event it waits for, the components and the environment), which only
        the collector frees. It follows every link of every object it has to look at, out of cache in a large
        service: 0.57 s for the garbage of a service ten times the baseline, against 0.01 s for the baseline's.
        Here each component empties what it holds families, workers, events and processes in, and each open
        family drops its links back: the collector is left the components and their ledgers, a twentieth of the
        objects at the baseline."""
        self.pathway.let_go()
        self.env.let_go()
        self.in_force.let_go()
        self.tally.let_go()
        self.desk.let_go()
        self.workforce.let_go()
        if self.oversight is not None:
            self.oversight.let_go()
