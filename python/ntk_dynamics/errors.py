"""The errors of the reader. Each names the file and says what to do about it."""


class ReaderError(ValueError):
    """A directory or file that the reader cannot read as ntk-dynamics wrote it."""


class NotAnOutputError(ReaderError):
    """A directory that holds no output of ntk-dynamics (no marked config.json, sweep_config.json or widths.csv)."""


class FormatVersionError(ReaderError):
    """A config.json or sweep_config.json whose ``format_version`` this reader does not know."""


class DamagedFileError(ReaderError):
    """A file that exists but cannot be parsed: cut off, truncated or edited by hand."""
