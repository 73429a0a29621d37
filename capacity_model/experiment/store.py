"""A store of finished tasks' KPIs: Parquet batches in a folder, each appearing whole.

Results are kept as they arrive, a batch of tasks at a time, so a long run never holds
them all in memory and a run that is killed keeps every batch it finished. A batch is
written to a temporary file and renamed into place, so a batch file is complete or
absent; the tasks in the store are exactly those in its batch files.

Each row is one KPI of one task at one month end: ``task`` (the task's key), the labels
given with it (for a sweep, its point), ``replication``, ``month``, ``date``, ``kpi``,
``value``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .task import ReplicationResult

BATCH = re.compile(r"^part-(\d{5,})\.parquet$")


class TaskStore:
    """Finished tasks' KPIs in ``folder`` (made if missing), written ``batch_size`` tasks or
    ``seconds`` at a time, whichever comes first, and on ``flush``."""

    def __init__(self, folder: str | Path, labels: Iterable[str] = (), batch_size: int = 25, seconds: float = 10.0):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for left in self.folder.glob(".part-*"):  # a batch being written when its writer was killed
            left.unlink(missing_ok=True)
        self.labels = list(labels)
        self.batch_size, self.seconds = batch_size, seconds
        self._pending: list[tuple[str, dict, ReplicationResult]] = []
        self._since = time.monotonic()
        numbers = [int(m.group(1)) for m in map(BATCH.match, os.listdir(self.folder)) if m]
        self._next = max(numbers, default=-1) + 1

    @property
    def columns(self) -> list[str]:
        return ["task", *self.labels, "replication", "month", "date", "kpi", "value"]

    def batches(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if BATCH.match(p.name))

    def done(self) -> set[str]:
        """The keys of every task in the store."""
        keys: set[str] = set()
        for batch in self.batches():
            keys.update(pq.read_table(batch, columns=["task"]).column("task").unique().to_pylist())
        return keys

    def add(self, key: str, result: ReplicationResult, **labels) -> None:
        """Keep one task's result (written with the next batch)."""
        self._pending.append((key, labels, result))
        if len(self._pending) >= self.batch_size or time.monotonic() - self._since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Write the tasks kept since the last batch as a batch of their own."""
        self._since = time.monotonic()
        pending, self._pending = self._pending, []  # taken first: a batch is never written twice
        if not pending:
            return
        columns: dict[str, list] = {name: [] for name in self.columns}
        for key, labels, result in pending:
            n = len(result.kpis)
            columns["task"].extend([key] * n)
            for name in self.labels:
                columns[name].extend([labels[name]] * n)
            columns["replication"].extend([result.replication] * n)
            for month, date, kpi, value in result.kpis:
                columns["month"].append(month)
                columns["date"].append(date)
                columns["kpi"].append(kpi)
                columns["value"].append(value)
        table = pa.table({name: pa.array(values, type=_TYPES.get(name, pa.int32())) for name, values in columns.items()})
        final = self.folder / f"part-{self._next:05d}.parquet"
        self._next += 1
        temporary = self.folder / f".{final.name}.{os.getpid()}"
        pq.write_table(table, temporary)
        os.replace(temporary, final)

    def read(self, kpis: list[str] | None = None, months: list[int] | None = None, columns: list[str] | None = None):
        """The stored rows (a pandas table), only of these KPIs and months if given: only they are read."""
        batches = self.batches()
        if not batches:
            return pa.table({name: pa.array([], type=_TYPES.get(name, pa.int32())) for name in self.columns}
                            ).to_pandas()
        wanted = None
        if kpis is not None:
            wanted = ds.field("kpi").isin(kpis)
        if months is not None:
            in_months = ds.field("month").isin(months)
            wanted = in_months if wanted is None else wanted & in_months
        return ds.dataset([str(b) for b in batches], format="parquet").to_table(columns=columns,
                                                                               filter=wanted).to_pandas()


_TYPES = {"task": pa.string(), "date": pa.string(), "kpi": pa.string(), "value": pa.float64()}
