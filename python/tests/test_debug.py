"""_debug: breakpoint() in a worker says how to debug, and the debug settings are read strictly."""

import os
import sys

import pytest
from conftest import worker_env

from pysynapse import _debug


@pytest.fixture
def saved_hook():
    saved = sys.breakpointhook
    yield
    sys.breakpointhook = saved


def test_without_a_debugger_breakpoint_raises_with_advice(saved_hook):
    _debug.install_breakpoint_hook({})
    with pytest.raises(RuntimeError) as raised:
        breakpoint()  # noqa: T100
    assert "stdin carries the host's frames" in str(raised.value)
    assert "debug(DebugOptions.onPort(5678))" in str(raised.value)


def test_pythonbreakpoint_set_keeps_pythons_own_rules(saved_hook):
    before = sys.breakpointhook
    _debug.install_breakpoint_hook({"PYTHONBREAKPOINT": "0"})
    assert sys.breakpointhook is before


def test_no_port_means_no_debugger():
    assert _debug.start({}) is None


@pytest.mark.parametrize(
    "environ, ports",
    [
        ({"SYNAPSE_DEBUG_PORT": "0", "SYNAPSE_DEBUG_PORTS": "4"}, [0]),
        ({"SYNAPSE_DEBUG_PORT": "5678"}, [5678]),
        ({"SYNAPSE_DEBUG_PORT": "5678", "SYNAPSE_DEBUG_PORTS": "3"}, [5678, 5679, 5680]),
        ({"SYNAPSE_DEBUG_PORT": "65535", "SYNAPSE_DEBUG_PORTS": "3"}, [65535]),
    ],
)
def test_the_ports_tried(environ, ports):
    assert _debug._ports(environ) == ports


@pytest.mark.parametrize(
    "environ",
    [
        {"SYNAPSE_DEBUG_PORT": "x"},
        {"SYNAPSE_DEBUG_PORT": "70000"},
        {"SYNAPSE_DEBUG_PORT": "5678", "SYNAPSE_DEBUG_PORTS": "0"},
    ],
)
def test_bad_settings_are_refused(environ):
    with pytest.raises(_debug.DebugError):
        _debug._ports(environ)


def test_a_worker_without_debugpy_exits_saying_what_to_install(spawn, tmp_path):
    # A debugpy that cannot be imported, first on the path, whatever this interpreter has.
    (tmp_path / "debugpy").mkdir()
    (tmp_path / "debugpy" / "__init__.py").write_text("raise ImportError('not here')\n")
    env = worker_env(SYNAPSE_DEBUG_PORT=0)
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env["PYTHONPATH"]
    worker = spawn("echo.py", env=env)
    assert worker.wait() == 1, worker.stderr()
    assert "cannot import debugpy (not here)" in worker.stderr()
    assert "add debugpy to the module's requirements.txt" in worker.stderr()
