"""The package's build: everything is in pyproject.toml but the compiled engine.

When the package is built (``pip install .``), the engine and the working-day calendar are compiled to C
extensions with mypyc, from the same typed Python source, so that a replication runs about 2.5 to 3 times as fast;
the source files are installed beside them. The results are the same digit for digit
(tests/test_compiled.py). An editable install (``pip install -e .``, for working on the code) and
``CAPACITY_MODEL_PURE_PYTHON=1`` leave the code as written; without a C compiler the build says so and
installs the package uncompiled.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, ExecError, PlatformError

COMPILED = sorted(str(path) for folder in ("engine", "measures") for path in Path("capacity_model", folder).rglob("*.py")) + [
    str(Path("capacity_model", "scenario", name)) for name in ("calendar.py", "sampling.py")]
"""The modules compiled: the engine, the measures it observes and a replication's scorecard, the calendar its
clocks read and the inverse CDFs it draws from."""

SAME_ARITHMETIC = ["-ffp-contract=off"]
"""C compilers may fuse a multiplication and an addition into one instruction where the processor has it (ARM,
x86 with FMA), which rounds once rather than twice: not on, so the compiled engine does Python's arithmetic."""

BUILDS = {"bdist_wheel", "build", "build_ext"}
"""The commands that build extensions (an editable install runs ``editable_wheel``, and stays uncompiled)."""


class OptionalBuildExt(build_ext):
    """Build the compiled engine if this machine can; if not (no C compiler), install it uncompiled, and say so."""

    def run(self) -> None:
        try:
            super().run()
        except (CCompilerError, ExecError, PlatformError) as error:
            self.extensions = []
            self.warn(f"capacity-model: the engine could not be compiled ({error}); it is installed as plain "
                      "Python, which gives the same results 2.5 to 3 times more slowly. Install a C compiler "
                      "and reinstall to compile it, or set CAPACITY_MODEL_PURE_PYTHON=1 to say this is meant.")


def extensions() -> list:
    if os.environ.get("CAPACITY_MODEL_PURE_PYTHON") or not BUILDS.intersection(sys.argv):
        return []
    from mypyc.build import mypycify

    built = mypycify(COMPILED, opt_level="3", group_name="capacity_model_engine")
    if os.name != "nt":  # gcc and clang (MSVC does not fuse them by default)
        for extension in built:
            extension.extra_compile_args = [*extension.extra_compile_args, *SAME_ARITHMETIC]
    return built


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
