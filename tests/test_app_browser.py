"""The planners' page in a real browser: Debian's chromium driven by Playwright, against the page served
by ``capacity-model app`` in a process of its own.

A planner's path: fewer futures and months for speed, a lever changed, Run, the scorecard's numbers
checked against the Python API's for the same seed; the option saved and compared with the base (the
change checked against ``compare``); a target search. Screenshots are taken of each (checked not
blank); with CAPACITY_MODEL_SCREENSHOTS set to a folder they are written there (the README's are).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from capacity_model.analysis.summary import summarise
from capacity_model.analysis.tables import cell, display_unit
from capacity_model.interface.app import levers as lv
from capacity_model.interface.terminal import change_text
from capacity_model.measures import KPI_BY_ID
from capacity_model.scenario import load_scenario
from capacity_model.studies.compare import compare

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
REPS, MONTHS, LOCALITY_POSTS = 4, 6, 100
CHECKED = ("unallocated_over_5d", "pct_caseload_le_22", "agency_sw", "cost_cumulative_gbp")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium'; "
                                                         ".ci/run installs it where apt-get is available)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``capacity-model app`` serving the page, stopped (its whole process group) at the end."""
    port, folder = _free_port(), tmp_path_factory.mktemp("page")
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "capacity_model", "app", "--no-browser", "--port", str(port),
                               "--results", str(folder / "results"), "--scenarios", str(ROOT / "scenarios"),
                               "--workers", "2"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the page's server did not start: " + (folder / "server.log").read_text()[-3000:])
        time.sleep(0.3)
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        yield launched
        launched.close()


def _shot(page, name: str, tmp_path: Path) -> Path:
    """A screenshot of the page, checked to hold text, tables and charts (not blank or an error)."""
    from PIL import Image

    folder = Path(os.environ.get("CAPACITY_MODEL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"))
    colours = (pixels[..., 0].astype(np.int32) << 16) | (pixels[..., 1].astype(np.int32) << 8) | pixels[..., 2]
    assert len(np.unique(colours)) > 200
    assert (pixels.min(axis=2) < 128).mean() > 0.005  # enough dark ink to be text
    return path


def _settled(page) -> None:
    """Wait until Streamlit has drawn the page again: no element left over from before the click."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=120_000)


def _set(page, label: str, value: object, in_form: bool = False) -> None:
    """Type a value into a box; outside a form, Enter sends it (and Streamlit draws the page again)."""
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Tab" if in_form else "Enter")
    _settled(page)


def _row(page, label: str) -> list[str]:
    """The cells of the first table row headed ``label``."""
    row = page.locator("tr", has=page.locator("th", has_text=label)).first
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def _figure(mean: float, kpi: str) -> str:
    unit, scale, decimals = display_unit(kpi)
    return f"{mean / scale:,.{decimals}f}"


def test_a_planner_changes_a_lever_runs_compares_and_searches(served, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 2300})
    page.goto(served)
    page.get_by_text("Workforce capacity model").wait_for(timeout=60_000)
    _set(page, "Simulated futures (replications)", REPS)
    _set(page, "Months from the start date", MONTHS)
    _set(page, "Locality posts (FTE)", LOCALITY_POSTS, in_form=True)
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Scorecard", exact=True).wait_for(timeout=180_000)
    page.locator("img").first.wait_for(timeout=60_000)  # the charts
    page.wait_for_timeout(1500)
    _shot(page, "page-levers-and-results", tmp_path)

    base = load_scenario("baseline")
    shown = {lever.path: lv.lever_value(base, lever) for lever in lv.levers(base)}
    option = lv.with_levers(base, {**shown, "teams.locality.posts_fte": LOCALITY_POSTS}, name="twenty-more-posts")
    api = compare(base, [option], REPS, MONTHS, seed=0, jobs=2, progress=False)  # the Python API, same seed
    expected = summarise(api.results[1].kpis)
    for kpi in CHECKED:
        cells = _row(page, KPI_BY_ID[kpi].label)
        month = cell(expected, option.name, kpi, MONTHS)
        assert cells[2].split(" (")[0] == _figure(month["mean"], kpi), (kpi, cells)  # unit, target, month 6

    with page.expect_download() as download:  # the scenario the levers built, as a file that runs
        page.get_by_role("button", name="Scenario file (YAML)", exact=True).click()
    path = tmp_path / "built.yaml"
    download.value.save_as(path)
    assert load_scenario(path).model_copy(update={"name": option.name}) == option
    _settled(page)  # a download button draws the page again

    _set(page, "Name of the option", "Twenty more posts")
    page.get_by_role("button", name="Save this option").click()
    page.get_by_text("Saved 'twenty-more-posts'").wait_for(timeout=30_000)

    page.get_by_role("tab", name="Compare options").click()
    page.get_by_text("twenty-more-posts", exact=True).wait_for(timeout=30_000)
    page.get_by_role("button", name="Compare with the base").click()
    page.get_by_text(f"Change from 'baseline' at month {MONTHS}").wait_for(timeout=180_000)
    page.wait_for_timeout(1500)
    _shot(page, "page-comparison", tmp_path)
    for kpi in ("unallocated_over_5d", "cost_cumulative_gbp"):
        label = "Extra cost since the start date" if kpi.startswith("cost") else \
            f"Change in {KPI_BY_ID[kpi].label[0].lower()}{KPI_BY_ID[kpi].label[1:]}"
        cells = _row(page, label)
        assert cells[-1] == change_text(cell(api.differences, option.name, kpi, MONTHS), kpi), (kpi, cells)

    page.get_by_role("tab", name="How many do we need?").click()
    page.get_by_label("Lever", exact=True).click()
    page.get_by_role("option", name="Locality posts").click()
    _settled(page)
    _set(page, "Lowest level to try", 80, in_form=True)
    _set(page, "Highest level to try", 160, in_form=True)
    _set(page, "In steps of", 80, in_form=True)
    page.get_by_label("Target", exact=True).click()
    page.get_by_role("option", name="Average caseload: 22 or fewer").click()
    _settled(page)
    page.get_by_role("slider").focus()
    page.keyboard.press("Home")  # a 50% chance is enough: 4 futures decide each level
    _settled(page)
    page.get_by_role("button", name="Search").click()
    page.get_by_text("Every look at a level").wait_for(timeout=180_000)
    answer = page.locator("[data-testid='stAlertContentSuccess']").inner_text()
    assert answer.startswith(f"The least Locality posts (FTE) giving average caseload at most 22 at month {MONTHS} in "
                             "at least 50% of futures: 80"), answer
    page.wait_for_timeout(1000)
    _shot(page, "page-how-many", tmp_path)
