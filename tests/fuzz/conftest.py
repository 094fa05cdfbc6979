"""Hypothesis keeps its caches (Unicode tables, constants found in the code) outside the tree.

`database=None` stops it saving examples, but it still writes a .hypothesis folder into the
working directory for these caches; a shared checkout should not grow one. An explicit
HYPOTHESIS_STORAGE_DIRECTORY still wins."""
import os
import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "prearrival-hypothesis")
