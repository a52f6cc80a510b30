"""Shared fixtures: a harness for real worker processes, a per-test time limit, hypothesis settings.

Run by ../run-tests under two interpreters: one without msgpack (the pure codec) and one with it
(SYNAPSE_REQUIRE_MSGPACK=1 turns every "msgpack missing" skip into a failure there).
"""

import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKERS_DIR = os.path.join(PYTHON_DIR, "tests", "workers")
sys.path.insert(0, PYTHON_DIR)

from pysynapse import _codec  # noqa: E402
from pysynapse._bootstrap import LAUNCH_CODE  # noqa: E402

TEST_TIME_LIMIT = 30  # seconds, per test

try:
    from hypothesis import settings

    settings.register_profile("synapse", deadline=None, database=None, max_examples=100)
    settings.load_profile("synapse")
except ImportError:  # pragma: no cover
    pass


def require_msgpack():
    """msgpack, or a skip; a failure when SYNAPSE_REQUIRE_MSGPACK=1 (the run with msgpack)."""
    if os.environ.get("SYNAPSE_REQUIRE_MSGPACK") == "1":
        import msgpack

        return msgpack
    return pytest.importorskip("msgpack")


def worker_env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = PYTHON_DIR + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SYNAPSE_MAX_FRAME", None)
    env.pop("SYNAPSE_LOG_LEVEL", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def frame(value):
    body = _codec.encode(value)
    return struct.pack("<I", len(body)) + bytes(body)


class Worker:
    """A worker process started the way the Java host starts it, with frame helpers.

    stderr is collected by a thread; stdout is read with deadlines so that no test can hang on it.
    """

    def __init__(self, script, *args, python=None, env=None, bootstrap=True):
        path = script if os.path.isabs(script) else os.path.join(WORKERS_DIR, script)
        python = python or sys.executable
        if bootstrap:
            command = [python, "-X", "faulthandler", "-c", LAUNCH_CODE, path, *args]
        else:
            command = [python, path, *args]
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=os.path.dirname(path),
            env=env or worker_env(),
        )
        self._out = bytearray()
        self._err = bytearray()
        self._err_lock = threading.Lock()
        self._err_thread = threading.Thread(target=self._pump_stderr, daemon=True)
        self._err_thread.start()

    def _pump_stderr(self):
        fd = self.proc.stderr.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            with self._err_lock:
                self._err += chunk

    @property
    def pid(self):
        return self.proc.pid

    def stderr(self):
        with self._err_lock:
            return self._err.decode("utf-8", "replace")

    def wait_for_stderr(self, text, timeout=5.0):
        deadline = time.monotonic() + timeout
        while text not in self.stderr():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on stderr within {timeout}s:\n{self.stderr()}")
            time.sleep(0.01)

    def sync_stderr(self):
        """Waits until everything the worker wrote to stderr so far has been collected here.

        Needs a worker serving functions.py (it calls its ``mark`` function).
        """
        self._marks = getattr(self, "_marks", 0) + 1
        token = f"{id(self)}-{self._marks}"
        self.call(2**64 - self._marks, "mark", token)
        assert self.recv() == [1, 2**64 - self._marks, None]
        self.wait_for_stderr(f"mark {token}\n")
        return self.stderr()

    def write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, value):
        body = _codec.encode(value)
        self.proc.stdin.write(struct.pack("<I", len(body)))
        self.write(body)

    def call(self, call_id, function, payload):
        self.send([1, call_id, function, payload])

    def _read_some(self, deadline):
        fd = self.proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no frame within the deadline; stderr:\n{self.stderr()}")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"worker stdout ended; stderr:\n{self.stderr()}")
        return chunk

    def recv_body(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self._out) < 4:
            self._out += self._read_some(deadline)
        size = struct.unpack_from("<I", self._out)[0]
        if len(self._out) >= 4 + size:
            body = bytes(self._out[4 : 4 + size])
            del self._out[: 4 + size]
            return body
        body = bytearray(size)  # a large body: one allocation, no concatenation
        have = len(self._out) - 4
        body[:have] = self._out[4:]
        self._out.clear()
        view = memoryview(body)
        while have < size:
            chunk = self._read_some(deadline)
            take = min(len(chunk), size - have)
            view[have : have + take] = chunk[:take]
            have += take
            self._out += chunk[take:]
        return body

    def recv(self, timeout=5.0):
        return _codec.decode(self.recv_body(timeout))

    def expect_no_frame(self, within):
        fd = self.proc.stdout.fileno()
        assert not self._out and not select.select([fd], [], [], within)[0], "unexpected frame"

    def ready(self, timeout=10.0):
        message = self.recv(timeout)
        assert message[0] == 0, message
        return message[1]

    def close_stdin(self):
        self.proc.stdin.close()

    def wait(self, timeout=5.0):
        """Waits for the exit code, then for the rest of stderr."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"worker still running after {timeout}s:\n{self.stderr()}"
            ) from None
        self._err_thread.join(timeout)
        return code

    def kill(self):
        if self.proc.poll() is None:
            try:  # the worker leads its own process group: take its children along
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
        self.proc.wait(5)
        self._err_thread.join(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


@pytest.fixture
def spawn():
    """Starts workers; any still running at the end are killed with their process group."""
    started = []

    def start(script, *args, **kwargs):
        worker = Worker(script, *args, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture
def functions_worker(spawn):
    """A ready worker serving workers/functions.py."""
    started = spawn("functions.py")
    started.ready()
    return started


def pytest_sessionfinish(session, exitstatus):
    """In the run that requires msgpack, a skipped test is a failure: nothing may be left out."""
    if os.environ.get("SYNAPSE_REQUIRE_MSGPACK") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.ensure_newline()
        reporter.write_line(
            f"SYNAPSE_REQUIRE_MSGPACK=1 but {len(skipped)} test(s) skipped", red=True
        )
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def time_limit():
    """Fails a test that runs longer than TEST_TIME_LIMIT seconds (no pytest-timeout needed)."""

    def expired(signum, frame):
        pytest.fail(f"test took longer than {TEST_TIME_LIMIT}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIME_LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
