"""Load what ntk-dynamics writes into numpy arrays indexed by their axes.

``load(path)`` tells the kinds of directory apart as the tool does and returns a Run, a WidthList, a Sweep (a
sweep or a merge) or a KernelStudy. The reader only reads: no kernel, prediction or fit is computed here; the
figures are those in the files (Docs/LogFormat.md, Docs/Python.md).
"""

from .errors import DamagedFileError, FormatVersionError, NotAnOutputError, ReaderError
from .files import SUPPORTED_FORMAT_VERSIONS
from .groups import KernelStudy, Sweep, WidthList
from .load import kind, load
from .run import Arrays, Run
from .stack import Stacked
from .table import Modes, Table

__version__ = "0.1.0"

__all__ = ["load", "kind", "Run", "WidthList", "Sweep", "KernelStudy", "Table", "Modes", "Arrays", "Stacked",
           "ReaderError", "NotAnOutputError", "FormatVersionError", "DamagedFileError", "SUPPORTED_FORMAT_VERSIONS"]
