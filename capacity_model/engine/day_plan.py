"""The order of events within a day, written down in one place.

Simulation time is in days from the origin (the start of the warm-up); the fraction of
a day is the time of day. Things that happen on the same day happen in this order:

| time  | constant              | what happens                                                        |
|-------|-----------------------|---------------------------------------------------------------------|
| 00:00 | ``SNAPSHOT``          | the month-end snapshot (first of the month, midnight)               |
| 00:00 | ``INTERVENTIONS``     | dated changes to the scenario take effect, just after the snapshot   |
| 00:14 | ``WORKFORCE_REVIEW``  | the monthly workforce review: resignations, campaigns, agency        |
| 09:00 | ``OVERSIGHT_DAY``     | working days: the day's visits, supervision and IRO meetings         |
| 09:36 | ``BACKDATED``         | times placed some working days in the past (the initial state)       |
| 10:00 | ``ALLOCATION_MEETING``| allocation meetings, on their weekdays                               |
| 12:00 | ``REALLOCATIONS``     | the monthly moves of families within a team                          |
| 18:00 | ``CLOCKS_RUN_OUT``    | working-day clocks (an assessment) end, once the day's work is done  |

A run ends at ``RUN_ENDS`` (noon) on the day of its last snapshot, once that day's
snapshot and review are done.

Everything else (referrals, absence spells, notice periods, starts after a lead time)
falls at whatever moment its own clock gives. Waits at a snapshot are counted up to
``SNAPSHOT_EPSILON`` before it, the end of the day before.
"""

from typing import Final

SNAPSHOT: Final = 0.0
SNAPSHOT_EPSILON: Final = 1e-6
INTERVENTIONS: Final = 1e-4
WORKFORCE_REVIEW: Final = 0.01
OVERSIGHT_DAY: Final = 9 / 24
BACKDATED: Final = 0.4
ALLOCATION_MEETING: Final = 10 / 24
REALLOCATIONS: Final = 0.5
CLOCKS_RUN_OUT: Final = 0.75
RUN_ENDS: Final = 0.5
