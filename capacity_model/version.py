"""The package's version, as installed (every output records it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("capacity-model")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
