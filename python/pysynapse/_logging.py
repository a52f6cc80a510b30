"""Log records as stderr lines the host can read their level from.

Every line of a formatted record (message, then traceback or stack) is written as
``[pysynapse:<LEVEL>:<logger name>] <text>``, ``<LEVEL>`` being one of the five standard level
names; a custom level is shown as the nearest standard level below it (DEBUG for anything under
INFO).
"""

import logging
import os
import sys

LEVEL_ENV = "SYNAPSE_LOG_LEVEL"
DEFAULT_LEVEL = logging.INFO

_STANDARD = (
    (logging.CRITICAL, "CRITICAL"),
    (logging.ERROR, "ERROR"),
    (logging.WARNING, "WARNING"),
    (logging.INFO, "INFO"),
)


def level_name(levelno):
    """The standard level name shown for a record of level ``levelno``."""
    for threshold, name in _STANDARD:
        if levelno >= threshold:
            return name
    return "DEBUG"


def prefixed(level, logger_name, text):
    """``text`` with the log-line prefix in front of each of its lines (no final newline)."""
    prefix = f"[pysynapse:{level}:{logger_name}] "
    return "\n".join(prefix + line for line in text.splitlines() or ("",))


class LineFormatter(logging.Formatter):
    """Formats the record as usual (``%(message)s`` by default), then prefixes every line."""

    def format(self, record):
        return prefixed(level_name(record.levelno), record.name, super().format(record))


class StderrHandler(logging.StreamHandler):
    """Writes records to the stderr of the moment it is created, with a LineFormatter."""

    def __init__(self, stream=None):
        super().__init__(sys.stderr if stream is None else stream)
        self.setFormatter(LineFormatter())


def level_from_env(environ=None):
    """(level, problem): the level ``SYNAPSE_LOG_LEVEL`` names (a name or a number; default INFO).

    ``problem`` describes a value that could not be used, else it is None.
    """
    value = (os.environ if environ is None else environ).get(LEVEL_ENV, "").strip()
    if not value:
        return DEFAULT_LEVEL, None
    if value.lstrip("-").isdigit():
        return int(value), None
    level = logging.getLevelName(value.upper())
    if isinstance(level, int):
        return level, None
    return DEFAULT_LEVEL, f"{LEVEL_ENV}={value!r} is not a logging level; using INFO"


def install():
    """Adds a StderrHandler to the root logger and sets the root level from the environment."""
    level, problem = level_from_env()
    root = logging.getLogger()
    root.addHandler(StderrHandler())
    root.setLevel(level)
    if problem:
        logging.getLogger("pysynapse").warning(problem)
