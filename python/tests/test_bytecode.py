"""The bytecode cache of the module files workers run, in a copy of pysynapse marked as the host's
(the host unpacks one from its jar), and the package's attributes that are loaded when first used.
"""

import marshal
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest
from conftest import PYTHON_DIR, Worker, worker_env

import pysynapse
from pysynapse import _bytecode

MODULE = """import pysynapse

pysynapse.serve(lambda payload: {answer!r})
"""


@pytest.fixture
def host_copy(tmp_path):
    """A copy of pysynapse marked as the host's, as the host unpacks it; its directory."""
    home = tmp_path / "home"
    shutil.copytree(
        os.path.join(PYTHON_DIR, "pysynapse"),
        str(home / "pysynapse"),
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (home / "pysynapse" / _bytecode.EXTRACTED_MARKER).write_text("")
    return home


def run(module, home):
    worker = Worker(str(module), env=worker_env(PYTHONPATH=str(home)))
    try:
        worker.ready()
        worker.call(1, None, None)
        return worker.recv()[2]
    finally:
        worker.close_stdin()
        assert worker.wait() == 0


def script_caches(home):
    cache = home / "pysynapse" / "__pycache__"
    return sorted(cache.glob("script-*.pyc")) if cache.exists() else []


def test_a_module_is_compiled_once_and_then_run_from_the_cache(tmp_path, host_copy):
    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="compiled"))
    assert run(module, host_copy) == "compiled"
    [cached] = script_caches(host_copy)
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert not [name for name in os.listdir(str(cached.parent)) if name.endswith(".tmp")]

    # Code that answers otherwise, under the header of the module's own source: a worker that
    # answers "from the cache" ran what the cache held instead of compiling the file.
    header = cached.read_bytes()[:16]
    other = compile(MODULE.format(answer="from the cache"), str(module), "exec")
    cached.write_bytes(header + marshal.dumps(other))
    assert run(module, host_copy) == "from the cache"


def test_an_edited_module_is_compiled_again(tmp_path, host_copy):
    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="first"))
    assert run(module, host_copy) == "first"
    module.write_text(MODULE.format(answer="second"))  # same size, perhaps the same mtime
    assert run(module, host_copy) == "second"
    assert len(script_caches(host_copy)) == 1


def test_code_compiled_for_another_path_is_not_used(tmp_path, host_copy):
    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="mine"))
    assert run(module, host_copy) == "mine"
    [cached] = script_caches(host_copy)
    other = compile(MODULE.format(answer="another file's"), str(tmp_path / "other.py"), "exec")
    cached.write_bytes(cached.read_bytes()[:16] + marshal.dumps(other))
    assert run(module, host_copy) == "mine"


@pytest.mark.parametrize("content", [b"", b"garbage", b"\x00" * 64])
def test_a_damaged_cache_file_is_ignored_and_replaced(tmp_path, host_copy, content):
    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="intact"))
    assert run(module, host_copy) == "intact"
    [cached] = script_caches(host_copy)
    good = cached.read_bytes()
    cached.write_bytes(content)
    assert run(module, host_copy) == "intact"
    assert cached.read_bytes() == good


def test_a_traceback_of_cached_code_names_the_module_and_its_line(tmp_path, host_copy):
    module = tmp_path / "main.py"
    module.write_text("import pysynapse\n\n\ndef fail(payload):\n    raise ValueError('no')\n\n\n"
                      "pysynapse.serve(fail)\n")
    for _ in range(2):  # compiled, then from the cache
        worker = Worker(str(module), env=worker_env(PYTHONPATH=str(host_copy)))
        worker.ready()
        worker.call(1, None, None)
        error = worker.recv()[2]
        worker.close_stdin()
        assert worker.wait() == 0
        assert f'File "{module}", line 5, in fail' in error["traceback"]
        assert "raise ValueError('no')" in error["traceback"]
    assert len(script_caches(host_copy)) == 1


@pytest.mark.parametrize("own_install", [False, True])
def test_a_module_that_does_not_compile_fails_with_its_syntax_error_alone(
    tmp_path, host_copy, own_install
):
    home = host_copy
    if own_install:
        (host_copy / "pysynapse" / _bytecode.EXTRACTED_MARKER).unlink()
    module = tmp_path / "main.py"
    module.write_text("import pysynapse\n\ndef broken(:\n    pass\n")
    worker = Worker(str(module), env=worker_env(PYTHONPATH=str(home)))
    assert worker.wait() == 1
    lines = worker.stderr().splitlines()
    assert f'File "{module}", line 3' in lines[0]
    assert "SyntaxError" in lines[-1]
    assert not [line for line in lines if "pysynapse/_" in line]  # no frame of ours
    assert script_caches(home) == []


def test_a_worker_that_adds_a_cached_module_keeps_the_newest_and_drops_stale_temporaries(
    tmp_path, host_copy
):
    cache = host_copy / "pysynapse" / "__pycache__"
    cache.mkdir()
    hour_ago = time.time() - 3600 - 60
    for index in range(_bytecode.KEPT_SCRIPTS + 10):
        old = cache / f"script-{index:016x}.{sys.implementation.cache_tag}.pyc"
        old.write_bytes(b"old")
        os.utime(str(old), (hour_ago + index, hour_ago + index))
    stale = cache / "script-0.pyc.1-00000000.tmp"
    stale.write_bytes(b"")
    os.utime(str(stale), (hour_ago, hour_ago))
    fresh = cache / "script-1.pyc.2-00000000.tmp"  # perhaps being written
    fresh.write_bytes(b"")

    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="new"))
    assert run(module, host_copy) == "new"

    kept = script_caches(host_copy)
    assert len(kept) == _bytecode.KEPT_SCRIPTS
    # The new one and the newest others: 11 of the old ones went.
    assert cache / f"script-{10:016x}.{sys.implementation.cache_tag}.pyc" not in kept
    assert cache / f"script-{11:016x}.{sys.implementation.cache_tag}.pyc" in kept
    assert not stale.exists() and fresh.exists()
    # A worker that only reads from the cache prunes nothing.
    fresh.unlink()
    extra = cache / "script-ffffffffffffffff.cpython-0.pyc"
    extra.write_bytes(b"old")
    os.utime(str(extra), (hour_ago, hour_ago))
    assert run(module, host_copy) == "new"
    assert extra.exists()


def test_a_users_own_install_of_pysynapse_gets_no_cache(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(os.path.join(PYTHON_DIR, "pysynapse"), str(home / "pysynapse"))
    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="plain"))
    assert run(module, home) == "plain"
    assert script_caches(home) == []


def test_the_lazy_attributes_of_the_package():
    code = (
        "import sys, pysynapse\n"
        "assert 'pysynapse.host' not in sys.modules and 'pysynapse._inputs' not in sys.modules\n"
        "assert 'host' in dir(pysynapse) and 'InputStreamError' in dir(pysynapse)\n"
        "assert pysynapse.host is sys.modules['pysynapse.host']\n"
        "assert pysynapse.InputStreamError.__module__ == 'pysynapse'\n"
        "from pysynapse import *\n"
        "assert InputStreamError is pysynapse.InputStreamError and host is pysynapse.host\n"
        "try:\n"
        "    pysynapse.no_such_name\n"
        "except AttributeError as exc:\n"
        "    assert \"'no_such_name'\" in str(exc)\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=worker_env(), check=True)
    assert pysynapse.__all__ == sorted(pysynapse.__all__)


def test_pysynapse_is_compiled_at_the_first_exit_only(tmp_path, host_copy):
    # Under PYTHONDONTWRITEBYTECODE the worker writes the cache of its own copy as it ends; once
    # the cache is complete, an exit does not even import the compiler's module.
    module = tmp_path / "main.py"
    module.write_text(MODULE.format(answer="done"))
    imported = []
    for _ in range(2):
        env = worker_env(PYTHONPATH=str(host_copy), PYTHONDONTWRITEBYTECODE="1")
        env["PYTHONPROFILEIMPORTTIME"] = "1"  # import lines on stderr
        worker = Worker(str(module), env=env)
        worker.ready()
        worker.close_stdin()
        assert worker.wait() == 0
        imported.append(worker.stderr())
    cache = host_copy / "pysynapse" / "__pycache__"
    assert (cache / f"_server.{sys.implementation.cache_tag}.pyc").exists()
    assert "py_compile" in imported[0]
    assert "py_compile" not in imported[1]
