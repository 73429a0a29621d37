"""The engine: one replication of the service (SimPy), as small components with one job each.

``Replication(scenario, seed, replication, months, emit).run()`` simulates over calendar
dates and hands each reported month end to ``emit`` as a ``measures.MonthEnd``. See
``replication.py`` for the components and ``day_plan.py`` for the order of events
within a day. Once run, ``let_go()`` frees what the replication made at once (see there).
It knows nothing of files, the command line, charts or KPI definitions.
"""

from .replication import Replication

__all__ = ["Replication"]
