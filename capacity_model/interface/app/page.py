"""The planners' page, drawn by Streamlit (``streamlit_script.py`` calls ``main``) for ``capacity-model app``.

Streamlit runs this script again, top to bottom, at every click; work that takes longer
than a moment is handed to ``jobs.Jobs`` (threads of the server, one pool of processes),
and the script only watches it. The levers are in ``levers.py``, the tables in
``views.py``; the charts are the report's own (``analysis.charts``).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import streamlit as st

from ...analysis import charts
from ...analysis.findings import HEADLINE, OVER_TIME
from ...analysis.run_folder import scenario_events
from ...experiment import default_jobs
from ...experiment.executors import KeptPool
from . import choices, levers as lv, views
from .jobs import Job, Jobs
from ..terminal import format_target
from ...measures import KPI_BY_ID
from ...scenario import Scenario, ScenarioError, load_scenario
from ...version import __version__


def _settings() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="capacity-model app")
    parser.add_argument("--results", type=Path, default=Path("results") / "app")
    parser.add_argument("--scenarios", type=Path, default=Path("scenarios"))
    parser.add_argument("--workers", type=int, default=0)
    return parser.parse_known_args(sys.argv[1:])[0]


@st.cache_resource
def _jobs(folder: str, workers: int) -> Jobs:
    """One set of jobs, and one pool of processes, for the whole server."""
    return Jobs(Path(folder), KeptPool(workers), workers)


STATE = st.session_state


def watch(job: Job, unit: str = "replications"):
    """Show the job's progress until it ends; its result, or None after showing its error."""
    if not job.finished.is_set():
        bar = st.progress(job.fraction, text=job.what)
        notes = st.empty()
        while not job.finished.wait(0.25):
            done = (f"{job.done} of {job.total} {unit} done" if job.done <= job.total else
                    f"{job.done} {unit} done") if job.total else "starting"
            bar.progress(job.fraction, text=f"{job.what}: {done}")
            if job.notes:
                notes.markdown("\n".join(f"- {note}" for note in job.notes))
        bar.empty()
        notes.empty()
    if job.error is not None:
        st.error(job.error)
        return None
    return job.result


@st.cache_data(max_entries=256, show_spinner=False)
def picture(folder: str, chart: str, what: str, _draw) -> bytes:
    """A chart as PNG, drawn once per folder, chart and what it shows (Streamlit draws the page again at
    every click: a chart drawn again each time would make every click slow)."""
    figure = _draw()
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=110)
    return png.getvalue()


def number(lever: lv.Lever, value: float | None, key: str):
    """A number box for one lever, in its unit, within its bounds (widened to the scenario's own value)."""
    kind = int if lever.whole else float
    low, high = (lever.low, lever.high) if value is None else (min(lever.low, value), max(lever.high, value))
    return st.number_input(f"{lever.label} ({lever.unit})", min_value=kind(low), max_value=kind(high),
                           value=None if value is None else kind(value), step=kind(lever.step),
                           help=lever.help or None, key=key, format=None if kind is int else "%.2f")


def lever_form(scenario: Scenario, prefix: str) -> tuple[bool, dict, object, dict]:
    """The levers, grouped; returns whether Run was pressed and the values set."""
    values: dict = {}
    swso_from = None
    with st.form(f"{prefix}:form", border=False, enter_to_submit=False):
        groups: dict[str, list[lv.Lever]] = {}
        for lever in lv.levers(scenario):
            groups.setdefault(lever.group, []).append(lever)
        for group, members in groups.items():
            with st.expander(group, expanded=group == "Posts"):
                for lever in members:
                    values[lever.path] = number(lever, lv.lever_value(scenario, lever), f"{prefix}:{lever.path}")
                if group == "Support officers":
                    swso_from = st.date_input("Support officers start on", lv.swso_start(scenario),
                                              key=f"{prefix}:swso-from", format="DD/MM/YYYY")
        interim_now = lv.interim_team(scenario)
        with st.expander("Interim team (a managed team for a fixed period)"):
            teams = list(scenario.teams)
            interim = {
                "social_workers": st.number_input("Interim social workers (0 for none)", 0, 200,
                                                  int(interim_now["social_workers"]), key=f"{prefix}:interim-n"),
                "team": st.selectbox("In the team", teams, index=teams.index(interim_now["team"]),
                                     key=f"{prefix}:interim-team", format_func=lambda t: t.replace("_", " ")),
                "start_date": st.date_input("From", interim_now["start_date"], key=f"{prefix}:interim-from",
                                            format="DD/MM/YYYY"),
                "end_date": st.date_input("Until", interim_now["end_date"], key=f"{prefix}:interim-to",
                                          format="DD/MM/YYYY"),
            }
        pressed = st.form_submit_button("Run", type="primary", use_container_width=True)
    return pressed, values, swso_from, interim


def show_run(run, scenario: Scenario) -> None:
    """The scorecard, charts and downloads of one run."""
    name = scenario.name
    figures = views.headline(run, name)
    columns = st.columns(2)
    for i, (label, figure, interval) in enumerate(figures):
        with columns[i % 2]:
            st.metric(label, figure)
            st.caption(interval)
    replications = int(run.manifest["replications"])
    st.subheader("Scorecard")
    st.caption(f"Mean of {replications} simulated futures with its 95% confidence interval; the chance of meeting "
               "a target is the share of futures that meet it, with its 95% interval. Seed "
               f"{run.manifest['seed']}, capacity-model {__version__}.")
    st.table(views.scorecard(run, name).set_index("Measure"))
    with st.expander("Every other measure"):
        st.table(views.scorecard(run, name, plan=False).set_index("Measure"))
    st.subheader("Over time")
    kpi = st.selectbox("Measure", [k for k in (*OVER_TIME, "turnover_12m", "cost_cumulative_gbp")
                                   if k in set(run.kpis["kpi"])],
                       format_func=lambda k: KPI_BY_ID[k].label, key="fan-kpi")
    left, right = st.columns(2)
    left.image(picture(str(run.path), "fan", kpi, lambda: charts.fan_chart(run.kpis, kpi, [name],
                                                                          scenario_events(run.scenarios[0]))))
    right.image(picture(str(run.path), "workforce", name, lambda: charts.workforce_composition(run.kpis, name)))
    month = run.months[-1]
    left.image(picture(str(run.path), "caseloads", name,
                       lambda: charts.caseload_distribution(run.caseloads, month, [name], run.date(month))))
    with right:
        downloads(run, scenario, "run")
        save_option(scenario)


def downloads(run, scenario: Scenario | None, key: str) -> None:
    st.markdown("**Downloads**")
    if scenario is not None:
        st.download_button("Scenario file (YAML)", lv.scenario_yaml(scenario, STATE.get("chosen", scenario.name)),
                           f"{scenario.name}.yaml", "text/yaml", key=f"{key}:yaml")
    st.download_button("Report (HTML)", lambda: choices.report_bytes(run.path, "report.html"),
                       "report.html", "text/html", key=f"{key}:report")
    st.download_button("Workbook (Excel)", lambda: choices.report_bytes(run.path, "workbook.xlsx"), "workbook.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}:workbook")


def save_option(scenario: Scenario) -> None:
    st.markdown("**Save as an option to compare**")
    label = st.text_input("Name of the option", key="option-name", placeholder="for example: 20 more posts")
    if st.button("Save this option", key="save-option"):
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        if not name:
            st.error("Give the option a name first.")
        else:
            STATE["options"][name] = scenario.model_copy(update={"name": name})
            st.success(f"Saved '{name}': compare it with the base on the 'Compare options' tab.")


def levers_tab(base: Scenario, settings: dict) -> None:
    form, results = st.columns([1, 2], gap="large")
    with form:
        st.markdown("**Levers** (from the start date, "
                    f"{base.start_date:%d %B %Y}, or from the date the scenario changes them)")
        pressed, values, swso_from, interim = lever_form(base, f"lever:{STATE['chosen']}")
    with results:
        if pressed:
            try:
                scenario = lv.with_levers(base, values, swso_from, interim)
            except ScenarioError as error:
                st.error(str(error))
                return
            if scenario != base:
                scenario = scenario.model_copy(update={"name": f"{base.name}-changed"})
            STATE["run"] = (scenario, jobs().run(scenario, **settings).key)
        if "run" not in STATE:
            st.info("Set the levers and press Run: the scorecard, charts and downloads appear here.")
            return
        scenario, key = STATE["run"]
        job = jobs().get(key)
        run = watch(job) if job is not None else None
        if run is not None:
            show_run(run, scenario)


def compare_tab(base: Scenario, settings: dict) -> None:
    options: dict[str, Scenario] = STATE["options"]
    if not options:
        st.info("Save options from the 'Levers and results' tab (under the results), then compare them here with "
                f"the base, '{base.name}' as chosen, on the same simulated futures.")
        return
    for name in list(options):
        left, right = st.columns([4, 1])
        left.markdown(f"- **{name}**: {choices.differences_in_words(base, options[name])}")
        if right.button("Remove", key=f"remove:{name}"):
            del options[name]
            st.rerun()
    if st.button("Compare with the base", type="primary", key="compare"):
        if base.name in options:
            st.error(f"An option is named like the base ('{base.name}'): save it under another name.")
            return
        STATE["compared"] = jobs().compare(base, list(options.values()), **settings).key
    job = jobs().get(STATE.get("compared", ""))
    run = watch(job) if job is not None else None
    if run is None:
        return
    st.subheader(f"Change from '{run.base}' at month {run.months[-1]}")
    st.caption("Paired differences on common random numbers: mean and 95% interval. An interval that includes "
               "zero means no clear change.")
    st.table(views.changes(run).set_index("Measure"))
    month = run.months[-1]
    left, right = st.columns(2)
    left.image(picture(str(run.path), "options", HEADLINE,
                       lambda: charts.option_comparison(run.option_differences, HEADLINE, month)))
    right.image(picture(str(run.path), "cost-effect", HEADLINE,
                        lambda: charts.cost_effect(run.option_differences, HEADLINE, month)))
    for option, table in views.rests_on(run).items():
        st.subheader(f"What '{option}' rests on")
        st.caption("Support staff free part of social workers' time. How much of it lets a worker hold more "
                   "children, rather than go to the children already held (visits, direct work, less pressure to "
                   "leave), is the council's choice: the option was also run with none of it (0) and all of it (1) "
                   "going to more children, on the same futures.")
        st.table(table.set_index("Measure"))
    downloads(run, None, "compare")


def target_tab(base: Scenario, settings: dict) -> None:
    st.markdown("How many posts, or support officers, give at least the chance you ask for of meeting a target? "
                "The search tries levels of the lever, adding simulated futures where a level is close to the "
                "chance asked for (the same as 'capacity-model target').")
    with st.form("target:form", border=False, enter_to_submit=False):
        chosen = {lever.path: lever for lever in choices.target_levers(base)}
        left, right = st.columns(2)
        largest = max(chosen.values(), key=lambda lever: lv.lever_value(base, lever) or 0)  # the biggest team
        path = left.selectbox("Lever", list(chosen), index=list(chosen).index(largest.path),
                              format_func=lambda p: chosen[p].label, key="target-lever")
        now = int(lv.lever_value(base, chosen[path]) or 0)
        low = left.number_input("Lowest level to try", 0, 2000, max(0, now - 20), 1, key="target-low")
        high = left.number_input("Highest level to try", 0, 2000, now + 40, 1, key="target-high")
        step = left.number_input("In steps of", 1, 500, 5, 1, key="target-step")
        kpis = choices.target_kpis()
        kpi = right.selectbox("Target", list(kpis), format_func=lambda k: kpis[k], key="target-kpi")
        month = right.number_input("At month", 1, settings["months"], settings["months"], key="target-month")
        probability = right.slider("Chance of meeting it that is enough", 0.5, 0.99, 0.9, 0.01, key="target-p",
                                   format="%.2f")
        pressed = st.form_submit_button("Search", type="primary")
    if pressed:
        try:
            search = choices.target_search(base, chosen[path], low, high, step, kpi, month, probability, settings)
        except ScenarioError as error:
            st.error(str(error))
            return
        STATE["searched"] = jobs().target(search, choices.level_describer(search)).key
    job = jobs().get(STATE.get("searched", ""))
    found = watch(job, "simulated futures") if job is not None else None
    if found is not None:
        st.success(format_target(found.summary).replace("\n", "  \n"))
        left, right = st.columns(2)
        left.image(picture(str(found.folder), "target", "", lambda: choices.target_figure(found)))
        with right:
            st.markdown("**Every look at a level**")
            st.markdown("\n".join(f"- {note}" for note in job.notes))
            st.download_button("Report (HTML)", lambda: choices.report_bytes(found.folder, "report.html"),
                               "target-report.html", "text/html", key="target:report")


@st.cache_data(max_entries=8, show_spinner="Reading the council's files")
def _imported(files: tuple[tuple[str, bytes], ...], as_of) -> Scenario:
    """The council's files made into a scenario once (not at every click)."""
    return choices.imported_scenario(dict(files), SETTINGS.results / "uploads", as_of)


def scenario_picker() -> Scenario | None:
    """The scenario to start from: built in, a file in the scenarios folder, or uploaded."""
    sources = choices.scenario_sources(SETTINGS.scenarios)
    label = st.selectbox("Start from", list(sources), key="scenario")
    upload = st.file_uploader("Or upload a scenario file (YAML)", type=["yaml", "yml"], key="upload",
                              help="Such as one written by 'capacity-model import-data' from the council's own files")
    with st.expander("Or start from the council's own files"):
        st.caption("staff.csv and children.csv, and if you have them referrals.csv and posts.csv (or Excel "
                   "workbooks of those names), as examples/council-data/README.md describes. They are read and "
                   "deleted at once: identifiers are replaced by pseudonyms and never kept or shown.")
        council = st.file_uploader("The council's files", type=["csv", "xlsx"], accept_multiple_files=True,
                                   key="council-files")
        as_of = st.date_input("The files describe the service on", key="council-as-of", format="DD/MM/YYYY")
    try:
        if council:
            scenario = _imported(tuple((f.name, f.getvalue()) for f in council), as_of)
            label = f"{scenario.name} (the council's files)"
        elif upload is not None:
            scenario = choices.uploaded_scenario(upload.name, upload.getvalue(), SETTINGS.results / "uploads")
            label = f"{scenario.name} (uploaded)"
        else:
            scenario = load_scenario(sources[label])
    except ScenarioError as error:
        st.error(str(error))
        return None
    STATE["chosen"] = label
    st.caption(scenario.description)
    return scenario


SETTINGS = _settings()


def jobs() -> Jobs:
    return _jobs(str(SETTINGS.results), SETTINGS.workers or default_jobs())


EXPLAINER = Path(__file__).with_name("how-to-read.md").read_text(encoding="utf-8")


def main() -> None:
    STATE.setdefault("options", {})  # name -> Scenario, saved by the planner to compare
    st.set_page_config(page_title="Children's social care workforce model", layout="wide")
    st.title("Workforce capacity model")
    st.caption("Children's social care: what would the plan's actions do to caseloads, waiting children, agency "
               "staff and cost? Choose a scenario, change the levers and run it; compare options with the base; "
               "ask how many posts a target needs.")
    with st.sidebar:
        st.header("Scenario")
        base = scenario_picker()
        st.header("Simulation")
        settings = {"replications": st.number_input("Simulated futures (replications)", 2, 400, 20, key="reps"),
                    "months": st.number_input("Months from the start date", 1, 120, 24, key="months"),
                    "seed": st.number_input("Seed (the same seed gives the same results)", 0, 2**31 - 1, 0,
                                            key="seed")}
        st.caption(f"capacity-model {__version__}: the same model as the command line; runs use "
                   f"{jobs().workers} processes.")
    if base is None:
        return
    levers, compared, target, reading = st.tabs(["Levers and results", "Compare options", "How many do we need?",
                                                 "How to read this"])
    with levers:
        levers_tab(base, settings)
    with compared:
        compare_tab(base, settings)
    with target:
        target_tab(base, settings)
    with reading:
        st.markdown(EXPLAINER)

