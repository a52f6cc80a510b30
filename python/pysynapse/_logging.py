"""Log records as stderr lines the host can read their level from.

Every line of a formatted record (message, then traceback or stack) is written as
``[pysynapse:<LEVEL>:<logger name>] <text>``, ``<LEVEL>`` being one of the five standard level
names; a custom level is shown as the nearest standard level below it (DEBUG for anything under
INFO).

Importing ``logging`` takes a good part of a worker's start-up, so this module does not import it:
``install()`` puts the handler on the root logger at the moment something first imports
``logging`` (before that, nothing can log). ``LineFormatter`` and ``StderrHandler`` are made on
first use of either name.
"""

import os
import sys

LEVEL_ENV = "SYNAPSE_LOG_LEVEL"
DEFAULT_LEVEL = 20  # logging.INFO

_STANDARD = (
    (50, "CRITICAL"),
    (40, "ERROR"),
    (30, "WARNING"),
    (20, "INFO"),
)
# The names logging knows before any addLevelName() call.
_BUILTIN_LEVELS = {
    "CRITICAL": 50,
    "FATAL": 50,
    "ERROR": 40,
    "WARN": 30,
    "WARNING": 30,
    "INFO": 20,
    "DEBUG": 10,
    "NOTSET": 0,
}


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


_classes = None


def _handler_classes():
    """(LineFormatter, StderrHandler), defined on the first call."""
    global _classes
    if _classes is not None:
        return _classes
    import logging

    class LineFormatter(logging.Formatter):
        """Formats the record as usual (``%(message)s`` by default), then prefixes every line."""

        def format(self, record):
            return prefixed(level_name(record.levelno), record.name, super().format(record))

    class StderrHandler(logging.StreamHandler):
        """Writes records to the stderr of the moment it is created, with a LineFormatter."""

        def __init__(self, stream=None):
            super().__init__(sys.stderr if stream is None else stream)
            self.setFormatter(LineFormatter())

    LineFormatter.__qualname__, StderrHandler.__qualname__ = "LineFormatter", "StderrHandler"
    _classes = (LineFormatter, StderrHandler)
    return _classes


def __getattr__(name):
    if name in ("LineFormatter", "StderrHandler"):
        return _handler_classes()[name == "StderrHandler"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def level_from_env(environ=None):
    """(level, problem): the level ``SYNAPSE_LOG_LEVEL`` names (a name or a number; default INFO).

    ``problem`` describes a value that could not be used, else it is None.
    """
    value = (os.environ if environ is None else environ).get(LEVEL_ENV, "").strip()
    if not value:
        return DEFAULT_LEVEL, None
    if value.lstrip("-").isdigit():
        return int(value), None
    logging = sys.modules.get("logging")
    if logging is not None:  # it knows the names added to it
        level = logging.getLevelName(value.upper())
    else:
        level = _BUILTIN_LEVELS.get(value.upper())
    if isinstance(level, int):
        return level, None
    return DEFAULT_LEVEL, f"{LEVEL_ENV}={value!r} is not a logging level; using INFO"


def install():
    """Adds a StderrHandler to the root logger and sets the root level from the environment.

    Done at once if ``logging`` is imported already or the environment names no level, else just
    after the first import of ``logging``, before the code that imported it goes on.
    """
    level, problem = level_from_env()
    if problem or "logging" in sys.modules:
        _install_now(level, problem)
    else:
        sys.meta_path.insert(0, _OnFirstImport(level))


def _install_now(level, problem=None):
    import logging

    root = logging.getLogger()
    root.addHandler(_handler_classes()[1]())
    root.setLevel(level)
    if problem:
        logging.getLogger("pysynapse").warning(problem)


class _OnFirstImport:
    """A meta path finder that has _install_now() called once ``logging`` has been imported.

    It finds nothing itself: for ``logging`` it takes itself off ``sys.meta_path``, asks the
    finders after it for the spec and hands that spec an _InstallingLoader.
    """

    def __init__(self, level):
        self._level = level

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:  # taken off meanwhile
            return None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(name, path, target) if find_spec is not None else None
            if spec is not None:
                if hasattr(spec.loader, "exec_module"):
                    spec.loader = _InstallingLoader(spec, self._level)
                return spec
        return None


class _InstallingLoader:
    """Loads ``logging`` with the loader found for it, then puts that loader back in its place on
    the module and calls _install_now(), before the import statement returns."""

    def __init__(self, spec, level):
        self._spec = spec
        self._loader = spec.loader
        self._level = level

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._spec.loader = module.__loader__ = self._loader
        self._loader.exec_module(module)
        _install_now(self._level)
