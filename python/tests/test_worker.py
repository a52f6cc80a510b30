"""End-to-end tests: real worker processes started like the Java host starts them."""

import datetime as dt
import os
import platform
import re
import signal
import struct
import subprocess
import sys
import threading
import time

import pytest
from conftest import PYTHON_DIR, WORKERS_DIR, frame, require_msgpack, worker_env

import pysynapse
from pysynapse import ExtType, _codec

SYSTEM_PYTHON = "/usr/bin/python3"


def error_of(message, call_id):
    assert message[:2] == [2, call_id], message
    return message[2]


def test_ready_frame_describes_the_worker(spawn):
    worker = spawn("functions.py")
    info = worker.ready()
    assert info == {
        "protocol": 1,
        "mode": "pysynapse",
        "pysynapse": pysynapse.__version__,
        "python": platform.python_version(),
        "codec": _codec.NAME,
        "functions": sorted(info["functions"]),
        "pid": worker.pid,
        "shm": 1,
    }
    assert {"add", "echo", "asleep", "fail"} <= set(info["functions"])


def test_ready_frame_of_a_single_handler_lists_no_functions(spawn):
    worker = spawn("echo.py")
    assert worker.ready()["functions"] == []


def test_echo_round_trips_every_supported_type(spawn):
    worker = spawn("echo.py")
    worker.ready()
    payload = {
        "nil": None,
        "bools": [True, False],
        "ints": [0, -1, 127, 128, -33, 2**63, 2**64 - 1, -(2**63)],
        "float": 1.25,
        "str": "h\u00e9llo \u2603",
        "bin": b"\x00\xff" * 100,
        "nested": [[], {}, [{"k": [1]}]],
        "when": dt.datetime(1969, 7, 20, 20, 17, 40, 123456, tzinfo=dt.timezone.utc),
        "ext": ExtType(42, b"abc"),
        7: "int key",
    }
    worker.call(1, None, payload)
    assert worker.recv() == [1, 1, payload]


def test_named_functions(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(10, "add", {"a": 2, "b": 40})
    worker.call(11, "echo", "x")
    assert worker.recv() == [1, 10, 42]
    assert worker.recv() == [1, 11, "x"]


def test_unknown_function_names_the_ones_there_are(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "nope", None)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "function"
    assert error["message"].startswith("no function named 'nope'; this worker serves: ")
    assert "add, afail" in error["message"]


def test_mapping_needs_a_function_name(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, None, None)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "function"
    assert error["message"].startswith("no function name given; this worker serves: add")


def test_single_handler_refuses_a_function_name(spawn):
    worker = spawn("echo.py")
    worker.ready()
    worker.call(1, "echo", None)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "function"
    assert "single handler" in error["message"]


def test_handler_exception_comes_back_with_type_message_and_traceback(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "fail", [1])
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "handler"
    assert error["type"] == "worker_errors.Bad"
    assert error["message"] == "bad payload: [1]"
    assert error["traceback"].startswith("Traceback (most recent call last):\n")
    assert 'functions.py", line' in error["traceback"]
    assert "in fail" in error["traceback"]
    assert "pysynapse" not in error["traceback"]
    assert error["traceback"].endswith("worker_errors.Bad: bad payload: [1]\n")

    worker.call(2, "fail_builtin", None)
    error = error_of(worker.recv(), 2)
    assert (error["type"], error["message"]) == ("KeyError", "'missing'")

    worker.call(3, "add", {"a": 1, "b": 1})
    assert worker.recv() == [1, 3, 2]


def test_unencodable_result_is_an_encode_error_and_the_worker_goes_on(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "unencodable", None)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "encode"
    assert error["type"] == "TypeError"
    assert error["message"] == "cannot encode object of type 'set'"
    worker.call(2, "echo", 2)
    assert worker.recv() == [1, 2, 2]


def test_result_larger_than_the_maximum_frame_is_an_encode_error(spawn):
    worker = spawn("functions.py", env=worker_env(SYNAPSE_MAX_FRAME=4096))
    worker.ready()
    worker.call(1, "too_big", 5000)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "encode"
    assert re.fullmatch(
        r"the result is 50\d\d bytes encoded, more than the maximum frame size of 4096 bytes",
        error["message"],
    )
    worker.call(2, "too_big", 3000)
    assert worker.recv() == [1, 2, b"x" * 3000]


def test_oversized_incoming_frame_is_skipped(spawn):
    worker = spawn("functions.py", env=worker_env(SYNAPSE_MAX_FRAME=4096))
    worker.ready()
    worker.write(frame([1, 1, "echo", b"y" * 10000]))
    worker.call(2, "echo", "after")
    assert worker.recv() == [1, 2, "after"]
    worker.sync_stderr()
    assert re.search(
        r"^\[pysynapse:ERROR:pysynapse\] skipped an incoming frame of 100\d\d bytes "
        r"exceeds the maximum frame size of 4096 bytes$",
        worker.stderr(),
        re.MULTILINE,
    )


def test_input_that_ends_inside_a_large_frame_stops_the_worker(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "echo", "before")
    assert worker.recv() == [1, 1, "before"]
    body = b"\xc6" + struct.pack(">I", 200_000) + b"z" * 100_000  # bin 32, cut short
    worker.write(struct.pack("<I", 5 + 200_000) + body)
    worker.close_stdin()
    assert worker.wait() == 0
    assert "[pysynapse:ERROR:pysynapse] the input ended inside a frame; stopping" in (
        worker.stderr()
    )


def test_bad_frames_and_messages_are_logged_and_skipped(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.write(b"\x02\x00\x00\x00\x92\x01")  # an array that ends early
    worker.send({"not": "a message"})
    worker.send([9, 1])
    worker.send([1, -5, "echo", None])
    worker.call(1, "echo", "still here")
    assert worker.recv() == [1, 1, "still here"]
    stderr = worker.sync_stderr()
    assert "[pysynapse:ERROR:pysynapse] ignored a frame of 2 bytes that does not decode" in stderr
    assert "not a valid CALL or CANCEL: {'not': 'a message'}" in stderr
    assert "not a valid CALL or CANCEL: [9, 1]" in stderr
    assert "not a valid CALL or CANCEL: [1, -5, 'echo', None]" in stderr


def test_frames_sent_one_byte_at_a_time(spawn):
    worker = spawn("functions.py")
    worker.ready()
    data = frame([1, 1, "echo", "slow"]) + frame([1, 2, "echo", "stream"])
    for index in range(len(data)):
        worker.write(data[index : index + 1])
        time.sleep(0.002)
    assert worker.recv() == [1, 1, "slow"]
    assert worker.recv() == [1, 2, "stream"]


def test_many_pipelined_calls_are_answered_in_order(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.write(b"".join(frame([1, i, "echo", [i, "x" * (i % 50)]]) for i in range(2000)))
    for i in range(2000):
        assert worker.recv() == [1, i, [i, "x" * (i % 50)]]


def test_large_payload_round_trip(spawn):
    worker = spawn("functions.py")
    worker.ready()
    payload = os.urandom(1024) * (64 * 1024)  # 64 MiB
    started = time.monotonic()
    worker.call(1, "echo", payload)
    answer = worker.recv(timeout=20)
    elapsed = time.monotonic() - started
    assert answer == [1, 1, payload]
    assert elapsed < 10


def test_async_calls_run_concurrently(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "asleep", 0.2)  # starts the event loop thread
    assert worker.recv() == [1, 1, 0.2]
    started = time.monotonic()
    worker.call(2, "asleep", 0.3)
    worker.call(3, "asleep", 0.3)
    answers = [worker.recv(), worker.recv()]
    elapsed = time.monotonic() - started
    assert sorted(answers) == [[1, 2, 0.3], [1, 3, 0.3]]
    assert elapsed < 0.5, elapsed


def test_async_errors(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "afail", "k")
    error = error_of(worker.recv(), 1)
    assert (error["kind"], error["type"], error["message"]) == ("handler", "KeyError", "'k'")
    assert "in afail" in error["traceback"]
    assert "asyncio" not in error["traceback"]
    worker.call(2, "aunencodable", None)
    error = error_of(worker.recv(), 2)
    assert (error["kind"], error["message"]) == ("encode", "cannot encode object of type 'set'")
    worker.call(3, "cancels_itself", None)
    error = error_of(worker.recv(), 3)
    assert error["kind"] == "cancelled"


def test_cancel_stops_a_running_async_call(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "wait_for_cancel", "one")
    worker.call(2, "asleep", 0.1)
    assert worker.recv() == [1, 2, 0.1]  # call 1 is running by now
    worker.send([2, 1])
    error = error_of(worker.recv(), 1)  # the acknowledgement, once the task has ended
    assert (error["kind"], error["type"]) == ("cancelled", "asyncio.exceptions.CancelledError")
    assert "cancelled one" in worker.sync_stderr()
    worker.send([2, 1])  # answered already: nothing
    worker.send([2, 99])  # unknown id: nothing
    worker.call(3, "echo", "next")
    assert worker.recv() == [1, 3, "next"]


def test_cancel_drops_a_call_that_has_not_started(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.write(
        frame([1, 1, "sleep", {"seconds": 0.2, "tag": "first"}])
        + frame([1, 2, "sleep", {"seconds": 0, "tag": "second"}])
        + frame([2, 2])
    )
    answers = sorted([worker.recv(), worker.recv()])  # the CANCEL is answered at once
    assert answers[0] == [1, 1, "first"]
    error = error_of(answers[1], 2)
    assert (error["kind"], error["type"]) == ("cancelled", "pysynapse.CallCancelled")
    assert error["message"] == "call 2 was cancelled before it started"
    # A CANCEL that arrives while an earlier call is still running drops its call at once.
    worker.call(3, "sleep", {"seconds": 1, "tag": "third", "announce": True})
    worker.call(4, "sleep", {"seconds": 0, "tag": "fourth"})
    worker.wait_for_stderr("started third")
    worker.send([2, 4])
    worker.call(5, "echo", "last")
    assert error_of(worker.recv(), 4)["kind"] == "cancelled"  # before call 3 has ended
    assert worker.recv() == [1, 3, "third"]
    assert worker.recv() == [1, 5, "last"]
    stderr = worker.sync_stderr()
    assert "ran first" in stderr and "ran third" in stderr
    assert "ran second" not in stderr and "ran fourth" not in stderr


def test_text_written_to_stdout_goes_to_stderr(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "noisy", None)
    assert worker.recv() == [1, 1, "quiet"]
    worker.call(2, "echo", "clean")
    assert worker.recv() == [1, 2, "clean"]
    stderr = worker.sync_stderr()
    for text in ("from print", "from sys.stdout.write", "from os.write(1)", "from a child process"):
        assert text + "\n" in stderr


def test_reading_stdin_in_a_handler_cannot_take_frames(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.write(frame([1, 1, "reads_stdin", None]) + frame([1, 2, "echo", "kept"]))
    assert worker.recv() == [1, 1, ["", b""]]  # sys.stdin and a child's stdin are at end of input
    assert worker.recv() == [1, 2, "kept"]


def test_log_records_carry_their_level(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "logs", None)
    assert worker.recv() == [1, 1, None]
    lines = worker.sync_stderr().splitlines()
    assert "[pysynapse:INFO:functions] info line" in lines
    assert "[pysynapse:WARNING:functions] two" in lines
    assert "[pysynapse:WARNING:functions] lines" in lines
    assert "[pysynapse:INFO:functions] custom level 25" in lines
    assert not [line for line in lines if "debug line" in line or "custom level 5" in line]
    traceback_lines = [line for line in lines if line.startswith("[pysynapse:ERROR:functions] ")]
    assert traceback_lines[0] == "[pysynapse:ERROR:functions] with traceback"
    assert traceback_lines[1] == "[pysynapse:ERROR:functions] Traceback (most recent call last):"
    assert traceback_lines[-1] == "[pysynapse:ERROR:functions] RuntimeError: boom"


def test_log_level_from_the_environment(spawn):
    worker = spawn("functions.py", env=worker_env(SYNAPSE_LOG_LEVEL="debug"))
    worker.ready()
    worker.call(1, "logs", None)
    assert worker.recv() == [1, 1, None]
    lines = worker.sync_stderr().splitlines()
    assert "[pysynapse:DEBUG:functions] debug line" in lines
    assert not [line for line in lines if "custom level 5" in line]

    worker = spawn("functions.py", env=worker_env(SYNAPSE_LOG_LEVEL="1"))
    worker.ready()
    worker.call(1, "logs", None)
    assert worker.recv() == [1, 1, None]
    assert "[pysynapse:DEBUG:functions] custom level 5" in worker.sync_stderr().splitlines()


def test_end_of_input_exits_with_code_0(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "echo", 1)
    assert worker.recv() == [1, 1, 1]
    worker.close_stdin()
    assert worker.wait(timeout=3) == 0


def test_end_of_input_with_an_async_call_in_flight_exits_with_code_0(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.call(1, "wait_for_cancel", "pending")
    worker.call(2, "asleep", 0)
    assert worker.recv() == [1, 2, 0]  # call 1 is running by now
    worker.close_stdin()
    assert worker.wait(timeout=3) == 0


def test_a_module_that_raises_exits_with_code_1_and_its_traceback(spawn):
    worker = spawn("broken.py")
    assert worker.wait() == 1
    lines = worker.stderr().splitlines()
    assert lines[0] == "[pysynapse:ERROR:pysynapse] Traceback (most recent call last):"
    assert 'broken.py", line 8, in <module>' in lines[1]
    assert lines[-1] == "[pysynapse:ERROR:pysynapse] ImportError: no such thing"
    assert not [line for line in lines if "runpy" in line or "_bootstrap" in line]


def test_serve_refuses_after_the_module_read_stdin(spawn):
    worker = spawn("reads_then_serves.py")
    worker.write(b"\x01\x00")
    assert worker.ready()["mode"] == "legacy"
    worker.write(b"\x00\x00")
    assert worker.wait() == 1
    assert "RuntimeError: serve() cannot take over" in worker.stderr()


def test_serve_without_the_bootstrap(spawn):
    worker = spawn("functions.py", bootstrap=False)
    assert worker.ready()["mode"] == "pysynapse"
    worker.call(1, "noisy", None)
    assert worker.recv() == [1, 1, "quiet"]
    worker.close_stdin()
    assert worker.wait() == 0
    for text in ("from print", "from sys.stdout.write", "from os.write(1)", "from a child process"):
        assert text + "\n" in worker.stderr()


def test_seed_module_runs_unchanged_in_legacy_mode(spawn):
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip(f"{SYSTEM_PYTHON} is not installed")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import msgpack"], capture_output=True)
    if probe.returncode != 0 and os.environ.get("SYNAPSE_REQUIRE_MSGPACK") != "1":
        pytest.skip(f"{SYSTEM_PYTHON} has no msgpack")
    worker = spawn("seed_main.py", python=SYSTEM_PYTHON)
    info = worker.ready()
    assert info["mode"] == "legacy"
    assert info["functions"] == []
    assert info["codec"] == "msgpack"
    worker.send({"foo": "bar"})
    assert worker.recv() == {"data": "Processing result from py of payload: {'foo': 'bar'}"}
    worker.send([1, 2])
    assert worker.recv() == {"data": "Processing result from py of payload: [1, 2]"}
    worker.close_stdin()
    assert worker.wait() == 0
    assert worker.stderr().count("Do something with the payload\n") == 2


def _process_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # a zombie nobody reaped is dead too


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_watchdog_kills_the_worker_and_its_children_when_the_host_dies(tmp_path):
    pid_file = tmp_path / "pids"
    stdin_read, stdin_write = os.pipe()  # held open here, so the worker never sees end of input
    host = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "subprocess.Popen([sys.executable, '-m', 'pysynapse._bootstrap', sys.argv[1],"
            " sys.argv[2]], stdin=int(sys.argv[3]), stdout=subprocess.DEVNULL)\n"
            "time.sleep(60)\n",
            os.path.join(WORKERS_DIR, "orphan.py"),
            str(pid_file),
            str(stdin_read),
        ],
        pass_fds=(stdin_read,),
        env=worker_env(),
        cwd=PYTHON_DIR,
    )
    os.close(stdin_read)
    worker_pid = child_pid = None
    try:
        deadline = time.monotonic() + 10
        while not pid_file.exists():
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.02)
        worker_pid, child_pid = map(int, pid_file.read_text().split())
        time.sleep(0.3)
        assert not _process_gone(worker_pid)
        host.send_signal(signal.SIGKILL)
        host.wait()
        killed_at = time.monotonic()
        while not (_process_gone(worker_pid) and _process_gone(child_pid)):
            assert time.monotonic() - killed_at < 1.5, "worker or its child outlived the host"
            time.sleep(0.02)
    finally:
        host.kill()
        host.wait()
        os.close(stdin_write)
        for pid in (worker_pid, child_pid):
            if pid is not None and not _process_gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_system_python_worker_uses_the_c_codec(spawn):
    """A msgpack-backed worker and this process (whichever codec it uses) understand each other."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip(f"{SYSTEM_PYTHON} is not installed")
    if os.environ.get("SYNAPSE_REQUIRE_MSGPACK") == "1":
        require_msgpack()
    worker = spawn("functions.py", python=SYSTEM_PYTHON)
    info = worker.ready()
    if info["codec"] != "msgpack":
        if os.environ.get("SYNAPSE_REQUIRE_MSGPACK") == "1":
            pytest.fail(f"{SYSTEM_PYTHON} worker runs the {info['codec']} codec")
        pytest.skip(f"{SYSTEM_PYTHON} has no msgpack")
    payload = [dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), 2**64 - 1, b"\x00", {"a": 1.5}]
    worker.call(1, "echo", payload)
    assert worker.recv() == [1, 1, payload]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_children_end_with_a_worker_that_exits_at_end_of_input(spawn, tmp_path):
    """The host may be gone without the watchdog having noticed yet: end of input is enough."""
    pid_file = tmp_path / "pids"
    worker = spawn("orphan.py", str(pid_file))
    deadline = time.monotonic() + 10
    while not pid_file.exists():
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.02)
    worker_pid, child_pid = map(int, pid_file.read_text().split())
    assert not _process_gone(child_pid)

    worker.close_stdin()

    assert worker.wait() == 0
    deadline = time.monotonic() + 1.5
    while not _process_gone(child_pid):
        assert time.monotonic() < deadline, "the worker's child outlived it"
        time.sleep(0.02)


def write_in_background(worker, data):
    """Writes ``data`` to the worker from a thread, so that the test can read the answers."""
    thread = threading.Thread(target=worker.write, args=(data,), daemon=True)
    thread.start()
    return thread


def test_answers_of_pipelined_calls_keep_their_ids_and_order(spawn):
    worker = spawn("functions.py")
    worker.ready()
    calls = []
    for i in range(3000):
        function = "echo" if i % 7 else "nothing"  # every 7th call fails: no such function
        calls.append(frame([1, i, function, "x" * (i % 300)]))
    writing = write_in_background(worker, b"".join(calls))
    for i in range(3000):
        answer = worker.recv()
        if i % 7:
            assert answer == [1, i, "x" * (i % 300)]
        else:
            assert error_of(answer, i)["kind"] == "function"
    writing.join(5)


def test_a_slow_call_does_not_hold_back_the_answers_before_it(spawn):
    worker = spawn("functions.py")
    worker.ready()
    worker.write(
        frame([1, 1, "echo", "one"])
        + frame([1, 2, "echo", "two"])
        + frame([1, 3, "sleep", {"seconds": 2, "tag": "slow"}])
    )
    started = time.monotonic()
    assert worker.recv() == [1, 1, "one"]
    assert worker.recv() == [1, 2, "two"]
    assert time.monotonic() - started < 1.0
    assert worker.recv() == [1, 3, "slow"]


def test_cancel_of_a_queued_call_among_many_pipelined_ones(spawn):
    worker = spawn("functions.py")
    worker.ready()
    data = b"".join(frame([1, i, "echo", i]) for i in range(100))
    data += frame([1, 100, "sleep", {"seconds": 0, "tag": "cancelled"}]) + frame([2, 100])
    data += b"".join(frame([1, i, "echo", i]) for i in range(101, 200))
    worker.write(data)
    answers = [worker.recv() for _ in range(200)]
    (cancelled,) = [message for message in answers if message[:2] == [2, 100]]
    answers.remove(cancelled)
    assert cancelled[2]["kind"] == "cancelled"
    assert answers == [[1, i, i] for i in range(200) if i != 100]
    worker.expect_no_frame(0.2)
    assert "ran cancelled" not in worker.sync_stderr()


def test_large_payloads_one_after_another_come_back_intact(spawn):
    worker = spawn("functions.py")
    worker.ready()
    payloads = [bytes([n]) * (3 << 20) + os.urandom(1000) for n in range(3)]
    data = b"".join(frame([1, n, "echo", payload]) for n, payload in enumerate(payloads))
    writing = write_in_background(worker, data)
    for n, payload in enumerate(payloads):
        assert worker.recv(timeout=20) == [1, n, payload]
    writing.join(5)
    worker.call(9, "echo", {"after": [os.urandom(100_000), "large"]})
    assert worker.recv()[2]["after"][1] == "large"


def test_a_worker_that_does_not_log_does_not_import_logging(spawn, tmp_path):
    # The baseline is an interpreter started with `-c` like the worker.
    bare = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", "import sys;print(' '.join(sys.modules))"],
        stdout=subprocess.PIPE,
        check=True,
        text=True,
        cwd=str(tmp_path),
    ).stdout.split()
    worker = spawn("lean.py")
    worker.ready()
    worker.call(1, None, "modules")
    loaded = set(worker.recv()[2]) - set(bare)
    lazy = {"logging", "traceback", "asyncio", "pkgutil", "platform", "threading", "select"}
    lazy |= {"runpy", "importlib.util", "contextlib", "signal", "enum"}  # start-up time
    lazy |= {"pysynapse.host", "pysynapse._host", "pysynapse._inputs", "pysynapse._async"}
    assert not loaded & lazy
    worker.call(2, "no such function", None)  # an error: its traceback text needs no traceback
    assert error_of(worker.recv(), 2)["kind"] == "function"
    worker.call(3, None, [1, 2])
    assert worker.recv() == [1, 3, [1, 2]]


def test_nothing_is_imported_from_the_working_directory(spawn, tmp_path):
    # The worker runs in its module's directory; a package there named like pysynapse is not
    # what the bootstrap imports (the module itself then finds pysynapse loaded already).
    planted = tmp_path / "pysynapse"
    planted.mkdir()
    marker = tmp_path / "planted-ran"
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (tmp_path / "main.py").write_text(
        "import pysynapse\n\npysynapse.serve(lambda payload: pysynapse.__file__)\n"
    )
    worker = spawn(str(tmp_path / "main.py"))
    worker.ready()
    worker.call(1, None, None)
    assert worker.recv()[2] == os.path.join(PYTHON_DIR, "pysynapse", "__init__.py")
    assert not marker.exists()


def test_records_logged_at_import_time_reach_the_host(spawn):
    worker = spawn("lean.py", env=worker_env(LEAN_LOG_AT_IMPORT="1"))
    worker.ready()
    worker.wait_for_stderr("[pysynapse:WARNING:lean] at import\n")
    assert "debug at import" not in worker.stderr()
    worker.call(1, None, "modules")
    assert "logging" in worker.recv()[2]

    worker = spawn("lean.py", env=worker_env(LEAN_LOG_AT_IMPORT="1", SYNAPSE_LOG_LEVEL="debug"))
    worker.ready()
    worker.wait_for_stderr("[pysynapse:DEBUG:lean] debug at import\n")


def test_the_module_runs_as_main_the_way_runpy_runs_a_file(spawn):
    worker = spawn("script_info.py", "one", "two")
    worker.ready()
    worker.call(1, None, None)
    path = os.path.join(WORKERS_DIR, "script_info.py")
    assert worker.recv()[2] == {
        "name": "__main__",
        "file": path,
        "package": "",
        "spec": "None",
        "loader": "None",
        "cached": None,
        "doc": (
            "Reports how the bootstrap ran it: its module globals, sys.argv, sys.path[0] and "
            "__main__."
        ),
        "argv": [path, "one", "two"],
        "path0": WORKERS_DIR,
        "main is this module": True,
        "pickles": True,
    }
