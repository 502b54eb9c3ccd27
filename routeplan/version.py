"""The installed version of routeplan (its one source is ``version`` in pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("routeplan")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
