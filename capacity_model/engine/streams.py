"""Random number streams: one per source of randomness, all spawned from one seed.

A stream is keyed by (seed, replication, name of its purpose), not by its position
in a list, so adding a new source of randomness never shifts the numbers another
source draws, and replication r of every scenario sees the same numbers for the same
purposes (common random numbers). Results therefore do not depend on which process,
or how many, ran a replication.
"""

from __future__ import annotations

import zlib
from array import array
from typing import Any, Callable, Final, Sequence

import numpy as np


def stream_key(purpose: str) -> int:
    """A stable number for a purpose's name (CRC-32, identical on every platform)."""
    return zlib.crc32(purpose.encode("utf-8"))


def replication_seed(seed: int, replication: int, purpose: str) -> np.random.SeedSequence:
    """The seed sequence of one purpose's stream in one replication."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication, stream_key(purpose)))


class RandomStreams:
    """The named random streams of one replication, created on first use.

    ``entity(purpose, number)`` gives one entity (a social worker) a stream of its
    own, so what happens to worker n depends on nothing else that draws numbers.
    """

    ENTITY_BLOCK: Final = 32

    def __init__(self, seed: int, replication: int):
        self.seed = seed
        self.replication = replication
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, purpose: str) -> np.random.Generator:
        stream = self._streams.get(purpose)
        if stream is None:
            stream = np.random.default_rng(replication_seed(self.seed, self.replication, purpose))
            self._streams[purpose] = stream
        return stream

    def uniforms(self, purpose: str, block: int = 256) -> Fate:
        """The purpose's stream one uniform number at a time, the numbers its ``random()`` would give one by one,
        drawn ``block`` at a time (one call into numpy rather than one a number)."""
        stream = self[purpose]
        return Fate([], lambda: stream.random(block).tolist())

    def entity(self, purpose: str, number: int) -> Fate:
        sequence = np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.replication, stream_key(purpose), number)
        )
        stream = np.random.default_rng(sequence)
        return Fate([], lambda: stream.random(self.ENTITY_BLOCK).tolist())


def next_uniform(bits: Any) -> float:
    """The next number a stream's ``random()`` would give, from its bit generator ``bits``: the top 53 of its next 64
    bits, scaled to [0, 1), as numpy works it out, in a third of the time of numpy's call for one number. For a
    stream that also draws other things (the arrivals' gaps), so cannot draw its uniform numbers in blocks."""
    return (bits.random_raw() >> 11) * (1.0 / 9007199254740992.0)


class Fate:
    """Uniform numbers in [0, 1) consumed in order: ``values[start:end]`` first, then more from ``refill`` as needed."""

    __slots__ = ("_values", "_cursor", "_end", "_refill")

    def __init__(self, values: Sequence[float], refill: Callable[[], list[float]], start: int = 0,
                 end: int | None = None):
        self._values = values
        self._cursor = start
        self._end = len(values) if end is None else end
        self._refill = refill

    def uniform(self) -> float:
        if self._cursor >= self._end:
            self._values = self._refill()
            self._cursor, self._end = 0, len(self._values)
        value = self._values[self._cursor]
        self._cursor += 1
        return value


class FateBank:
    """Rows of pre-drawn uniform numbers, handed out one row per family in arrival order.

    A family consumes its row as its story unfolds (how many children, how long the
    assessment takes, what it leads to, ...). Because the row is fixed when the family
    is first referred, what happens to a family does not depend on how quickly it was
    allocated, so comparing scenarios on common random numbers compares like with like.
    The rare story longer than a row goes on with numbers from the overflow stream.
    Stories use about 6 numbers (at most 22 in a baseline replication), so only a row's first
    ``FIRST`` numbers are kept, as plain numbers in an array a block of rows share; the rest of a row
    is drawn again when a story gets that far, from where the block's numbers began (``RestOfRow``).
    """

    ROW_LENGTH: Final = 64
    BLOCK: Final = 512
    FIRST: Final = 16

    def __init__(self, stream: np.random.Generator, overflow: np.random.Generator):
        self._stream = stream
        self._overflow = lambda: [overflow.random()]
        self._firsts = array("d")
        self._began: Any = None  # the stream's state where the block's numbers began (a dict)
        self._next = self.BLOCK

    def next_row(self) -> Fate:
        if self._next >= self.BLOCK:
            self._began = self._stream.bit_generator.state
            block = self._stream.random((self.BLOCK, self.ROW_LENGTH))
            self._firsts = array("d", np.ascontiguousarray(block[:, :self.FIRST]).tobytes())
            self._next = 0
        row = self._next
        self._next += 1
        return Fate(self._firsts, RestOfRow(type(self._stream.bit_generator), self._began,
                                            row * self.ROW_LENGTH + self.FIRST, self.ROW_LENGTH - self.FIRST,
                                            self._overflow),
                    start=row * self.FIRST, end=(row + 1) * self.FIRST)


class RestOfRow:
    """The ``count`` numbers a stream gave after its first ``after`` from ``began`` (its state then), drawn again
    (PCG64 jumps ahead without drawing); then the overflow stream's, as a ``Fate`` asks for more."""

    def __init__(self, kind: Any, began: Any, after: int, count: int, overflow: Callable[[], list[float]]):
        self._kind = kind  # the stream's kind of bit generator (PCG64)
        self._began: Any = began  # None once drawn
        self._after = after
        self._count = count
        self._overflow = overflow

    def __call__(self) -> list[float]:
        if self._began is None:
            return self._overflow()
        bits = self._kind()
        bits.state = self._began
        bits.advance(self._after)
        rest: list[float] = np.random.Generator(bits).random(self._count).tolist()
        self._began = None
        return rest
