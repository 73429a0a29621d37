"""Queueing theory the model is verified against: the M/M/s queue (Erlang C)."""

from __future__ import annotations


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/s queue with ``offered`` = arrival rate x mean service.

    Computed through the Erlang B recursion, which stays stable for hundreds of servers.
    """
    if offered >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered * blocking / (k + offered * blocking)
    return blocking / (1 - offered / servers * (1 - blocking))


def mean_waiting(servers: int, offered: float) -> float:
    """Mean number waiting (not yet served) in an M/M/s queue."""
    utilisation = offered / servers
    return erlang_c(servers, offered) * utilisation / (1 - utilisation)
