"""The log-line format and the level taken from the environment."""

import io
import logging

import pytest

from pysynapse import _logging


@pytest.mark.parametrize(
    ("levelno", "name"),
    [(1, "DEBUG"), (10, "DEBUG"), (19, "DEBUG"), (20, "INFO"), (25, "INFO"), (30, "WARNING")]
    + [(45, "ERROR"), (50, "CRITICAL"), (99, "CRITICAL")],
)
def test_custom_levels_map_to_the_standard_level_below(levelno, name):
    assert _logging.level_name(levelno) == name


def test_every_line_of_a_record_gets_the_prefix():
    stream = io.StringIO()
    logger = logging.getLogger("test.lines")
    logger.propagate = False
    handler = _logging.StderrHandler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("one\ntwo")
        logger.error("")
        try:
            raise ValueError("bad")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[:3] == [
        "[pysynapse:WARNING:test.lines] one",
        "[pysynapse:WARNING:test.lines] two",
        "[pysynapse:ERROR:test.lines] ",
    ]
    assert lines[3:5] == [
        "[pysynapse:ERROR:test.lines] failed",
        "[pysynapse:ERROR:test.lines] Traceback (most recent call last):",
    ]
    assert lines[-1] == "[pysynapse:ERROR:test.lines] ValueError: bad"
    assert all(line.startswith("[pysynapse:ERROR:test.lines] ") for line in lines[3:])


@pytest.mark.parametrize(
    ("value", "level", "problem"),
    [
        (None, logging.INFO, None),
        ("", logging.INFO, None),
        ("debug", logging.DEBUG, None),
        ("WARNING", logging.WARNING, None),
        ("5", 5, None),
        ("loud", logging.INFO, "SYNAPSE_LOG_LEVEL='loud' is not a logging level; using INFO"),
    ],
)
def test_level_from_the_environment(value, level, problem):
    environ = {} if value is None else {"SYNAPSE_LOG_LEVEL": value}
    assert _logging.level_from_env(environ) == (level, problem)
