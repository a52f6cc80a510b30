"""CANCEL end to end: every call the worker knows gets exactly one final frame, and a running plain
handler is interrupted with pysynapse.CallCancelled."""

import os
import signal

import pytest
from conftest import frame

import pysynapse

CANCEL, ERROR = 2, 2


@pytest.fixture
def worker(functions_worker):
    return functions_worker


def cancelled_error(message, call_id):
    assert message[:2] == [ERROR, call_id], message
    error = message[2]
    assert error["kind"] == "cancelled", error
    return error


def test_call_cancelled_is_a_base_exception_exported_by_the_package():
    assert issubclass(pysynapse.CallCancelled, BaseException)
    assert not issubclass(pysynapse.CallCancelled, Exception)
    assert "CallCancelled" in pysynapse.__all__


@pytest.mark.parametrize("function", ["spin", "sleep_forever", "deadlock"])
def test_cancel_interrupts_a_running_plain_handler(worker, function):
    worker.call(1, function, function)
    worker.wait_for_stderr(f"started {function}")
    worker.send([CANCEL, 1])
    error = cancelled_error(worker.recv(), 1)
    assert error["type"] == "pysynapse.CallCancelled"
    assert error["message"] == "call 1 was cancelled by the host"
    assert f"in {function}" in error["traceback"] or "in _stuck" in error["traceback"]
    worker.wait_for_stderr(f"finally {function}")
    worker.send([CANCEL, 1])  # answered: nothing more
    worker.call(2, "echo", "alive")
    assert worker.recv() == [1, 2, "alive"]
    worker.expect_no_frame(0.2)


def test_a_handler_that_returns_after_the_interruption_is_answered_once(worker):
    worker.call(1, "finishes_anyway", "anyway")
    worker.wait_for_stderr("started anyway")
    worker.send([CANCEL, 1])
    assert worker.recv() == [1, 1, "finished anyway"]
    worker.expect_no_frame(0.2)


def test_an_interruption_lost_before_a_blocking_call_is_sent_again(worker):
    worker.call(1, "loses_its_first_interruption", "lost")
    worker.wait_for_stderr("started lost")
    worker.send([CANCEL, 1])
    worker.wait_for_stderr(f"took signal {int(signal.SIGUSR2)}")
    error = cancelled_error(worker.recv(timeout=2.0), 1)
    assert "in loses_its_first_interruption" in error["traceback"]
    worker.call(2, "echo", "alive")
    assert worker.recv() == [1, 2, "alive"]


def test_calls_queued_behind_a_stuck_handler_are_answered_at_once_when_cancelled(worker):
    worker.call(1, "sleep_forever", "long")
    worker.call(2, "echo", "queued")
    worker.wait_for_stderr("started long")
    worker.send([CANCEL, 2])
    error = cancelled_error(worker.recv(), 2)
    assert error["message"] == "call 2 was cancelled before it started"
    worker.send([CANCEL, 1])
    cancelled_error(worker.recv(), 1)


def test_cancels_racing_with_the_end_of_their_calls_get_one_final_frame_each(worker):
    count = 300
    data = b"".join(
        frame([1, i, "sleep", {"seconds": (i % 3) * 0.0005, "tag": "race"}]) + frame([CANCEL, i])
        for i in range(count)
    )
    worker.write(data)
    finals = {}
    for _ in range(count):
        message = worker.recv()
        assert message[1] not in finals, message
        finals[message[1]] = message
    assert sorted(finals) == list(range(count))
    for call_id, message in finals.items():
        assert message == [1, call_id, "race"] or cancelled_error(message, call_id)
    worker.call(count, "echo", "alive")
    assert worker.recv() == [1, count, "alive"]
    worker.expect_no_frame(0.2)


def test_an_unknown_id_gets_nothing(worker):
    worker.send([CANCEL, 12345])
    worker.expect_no_frame(0.2)


def test_a_signal_sent_by_someone_else_keeps_its_default_effect(worker):
    os.kill(worker.pid, signal.SIGUSR2)
    assert worker.wait() == -signal.SIGUSR2


def test_the_watcher_does_not_block_on_input_the_serve_loop_took_first(monkeypatch):
    # select saw input, then the serve loop read it before it released the lock for the call:
    # the watcher must ask again under the lock instead of blocking in a read with nothing waiting.
    import select
    import threading

    from pysynapse._interrupt import CancelWatcher
    from pysynapse._protocol import FrameReader

    read_end, write_end = os.pipe()
    try:
        watcher = CancelWatcher(FrameReader(read_end, 1 << 20), None, lambda body: None)
        watcher.running = 1
        real_select = select.select
        seen = []

        def stale_once(rlist, wlist, xlist, timeout=None):
            if not seen:
                seen.append(True)
                return rlist, [], []
            return real_select(rlist, wlist, xlist, timeout)

        monkeypatch.setattr(select, "select", stale_once)
        watching = threading.Thread(target=watcher._watch, daemon=True)
        watching.start()
        watching.join(5)
        assert not watching.is_alive(), "the watcher blocked on an empty input"
    finally:
        os.close(write_end)
        os.close(read_end)
