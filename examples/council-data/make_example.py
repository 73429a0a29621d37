"""Write synthetic council files for a Nottingham-sized service on 1 March 2020: no real people.

    python examples/council-data/make_example.py        (writes the CSV files beside this script)

Sizes follow the built-in baseline (about 150 case-holding social workers in three teams,
3,000 open children); identifiers are random strings shaped like a council's. Used by the
README's walk-through and the tests of ``capacity-model import-data``.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
AS_OF = date(2020, 3, 1)
SEED = 2020
TEAMS = {"assessment": ("assessment",), "locality": ("cin", "cp"), "children_in_care": ("cic",)}
POSTS = {"assessment": 30, "locality": 80, "children_in_care": 40}
STAFF = {"assessment": (23, 3, 5), "locality": (60, 6, 12), "children_in_care": (31, 3, 5)}  # experienced, ASYE, agency
MANAGERS = {"assessment": 5, "locality": 10, "children_in_care": 5}
ALLOCATED = {"assessment": 560, "cin": 1380, "cp": 370, "cic": 640}
WAITING = {"assessment": 110, "cin": 10}
STAGE_DAYS = {"assessment": 60, "cin": 600, "cp": 500, "cic": 2000}  # how long ago a stage may have begun
SIBLINGS = ([1, 2, 3, 4], [0.62, 0.22, 0.10, 0.06])
SEASON = [1.02, 1.03, 1.05, 0.96, 1.02, 1.03, 1.01, 0.84, 1.03, 1.10, 1.05, 0.86]


def ago(rng: np.random.Generator, low: int, high: int) -> date:
    return AS_OF - timedelta(days=int(rng.integers(low, high + 1)))


def identifier(rng: np.random.Generator, prefix: str, digits: int, used: set[str]) -> str:
    while True:
        made = prefix + "".join(str(d) for d in rng.integers(0, 10, digits))
        if made not in used:
            used.add(made)
            return made


def staff(rng: np.random.Generator) -> tuple[list[dict], dict[str, list[dict]]]:
    rows, by_team, used = [], {team: [] for team in TEAMS}, set()
    for team, (experienced, asye, agency) in STAFF.items():
        for kind, n in (("experienced", experienced), ("asye", asye), ("agency", agency)):
            for _ in range(n):
                started = (ago(rng, 365, 15 * 365) if kind == "experienced" else ago(rng, 30, 330) if kind == "asye"
                           else ago(rng, 7, 300))
                fte = 1.0 if rng.random() < 0.85 or kind != "experienced" else float(rng.choice([0.6, 0.8, 0.9]))
                row = {"worker_id": identifier(rng, "EMP", 5, used), "team": team, "role": "social_worker",
                       "agency": "yes" if kind == "agency" else "no", "asye": "yes" if kind == "asye" else "no",
                       "fte": fte, "start_date": started.isoformat()}
                rows.append(row)
                by_team[team].append(row)
        for _ in range(MANAGERS[team]):
            rows.append({"worker_id": identifier(rng, "EMP", 5, used), "team": team, "role": "team_manager",
                         "agency": "no", "asye": "no", "fte": 1.0, "start_date": ago(rng, 730, 20 * 365).isoformat()})
    order = rng.permutation(len(rows))
    return [rows[i] for i in order], by_team


def children(rng: np.random.Generator, by_team: dict[str, list[dict]]) -> list[dict]:
    rows, used, families = [], set(), set()
    team_of = {stage: team for team, stages in TEAMS.items() for stage in stages}
    held = {row["worker_id"]: 0 for team in by_team.values() for row in team}
    for counts, allocated in ((ALLOCATED, True), (WAITING, False)):
        for stage, left in counts.items():
            team = team_of[stage]
            while left > 0:
                size = min(int(rng.choice(SIBLINGS[0], p=SIBLINGS[1])), left)
                left -= size
                family = identifier(rng, "FAM", 6, families)
                started = ago(rng, 1, STAGE_DAYS[stage])
                referral = started - timedelta(days=int(rng.integers(0, 60 if stage == "assessment" else 200)))
                worker = ""
                if allocated:
                    workers = by_team[team]
                    worker = min(workers, key=lambda w: (held[w["worker_id"]] / float(w["fte"]), rng.random()))
                    worker = worker["worker_id"]
                    held[worker] += size
                waiting = "" if allocated else ago(rng, 0, 12).isoformat()
                if not allocated and stage == "assessment":
                    started = referral = min(referral, date.fromisoformat(waiting))
                for _ in range(size):
                    rows.append({"child_id": identifier(rng, "C", 7, used), "family_id": family, "stage": stage,
                                 "team": team, "worker_id": worker, "referral_date": referral.isoformat(),
                                 "stage_start_date": started.isoformat(), "unallocated_since": waiting})
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def referrals(rng: np.random.Generator) -> list[dict]:
    rows = []
    for back in range(36, 0, -1):
        year, month = divmod(AS_OF.year * 12 + AS_OF.month - 1 - back, 12)
        expected = 4500 / 12 * SEASON[month]
        rows.append({"month": f"{year}-{month + 1:02d}", "children": int(rng.poisson(expected))})
    return rows


def write(name: str, rows: list[dict]) -> None:
    with (HERE / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    rng = np.random.default_rng(SEED)
    staff_rows, by_team = staff(rng)
    write("staff.csv", staff_rows)
    write("children.csv", children(rng, by_team))
    write("referrals.csv", referrals(rng))
    write("posts.csv", [{"team": team, "posts_fte": posts} for team, posts in POSTS.items()])
    print(f"wrote staff.csv, children.csv, referrals.csv and posts.csv in {HERE}")


if __name__ == "__main__":
    main()
