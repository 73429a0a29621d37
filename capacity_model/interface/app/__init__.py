"""The planners' web page (``capacity-model app``): levers, results, comparisons and the target
search in a browser, on this machine, with no internet.

Streamlit serves it (``page.py``): it is what the UK health simulation community builds its
model pages with, it installs with ``pip`` and needs no connection, and its widgets (forms,
progress bars, file uploads and downloads) are what this page needs. The page's script only
draws; runs go to ``jobs.Jobs`` on the project's executors.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).with_name("streamlit_script.py")


def streamlit_command(port: int, address: str, results: Path, scenarios: Path, workers: int | None,
                      open_browser: bool) -> list[str]:
    """The command that serves the page: Streamlit with no usage statistics, no file watching, light theme."""
    return [sys.executable, "-m", "streamlit", "run", str(PAGE),
            "--server.port", str(port), "--server.address", address,
            "--server.headless", "false" if open_browser else "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            "--global.developmentMode", "false", "--client.toolbarMode", "minimal", "--theme.base", "light",
            "--", "--results", str(results), "--scenarios", str(scenarios), "--workers", str(workers or 0)]


def serve(port: int = 8501, address: str = "localhost", results: Path = Path("results") / "app",
          scenarios: Path = Path("scenarios"), workers: int | None = None, open_browser: bool = True) -> int:
    """Serve the page until stopped (Ctrl-C); returns the server's exit status."""
    print(f"capacity-model: the page is at http://{address}:{port} (Ctrl-C to stop)", file=sys.stderr)
    try:
        return subprocess.call(streamlit_command(port, address, results, scenarios, workers, open_browser))
    except KeyboardInterrupt:
        return 0
