"""PING: answered with PONG by the serve loop itself, never by the watcher that reads the input
while a plain handler runs, so that a worker whose main thread is stuck does not look healthy."""

import pytest

CANCEL, ERROR, PING, PONG = 2, 2, 10, 8


def test_an_idle_worker_answers_a_ping(functions_worker):
    functions_worker.send([PING, 7])
    assert functions_worker.recv() == [PONG, 7]


def test_pings_mixed_with_calls_each_get_their_own_answer(functions_worker):
    functions_worker.call(1, "echo", "a")
    functions_worker.send([PING, 1])
    functions_worker.call(3, "echo", "b")
    answers = [functions_worker.recv() for _ in range(3)]
    assert sorted(answers, key=repr) == sorted([[1, 1, "a"], [PONG, 1], [1, 3, "b"]], key=repr)
    functions_worker.expect_no_frame(0.1)


@pytest.mark.parametrize("function", ["sleep_forever", "spin"])
def test_a_ping_waits_while_a_plain_handler_holds_the_main_thread(functions_worker, function):
    worker = functions_worker
    worker.call(1, function, function)
    worker.wait_for_stderr(f"started {function}")
    worker.send([PING, 2])
    worker.expect_no_frame(0.3)  # the watcher reads the PING, but only notes it
    worker.send([CANCEL, 1])
    first = worker.recv()
    assert first[:2] == [ERROR, 1], first
    assert worker.recv() == [PONG, 2]


def test_an_async_handler_does_not_hold_pings_back(functions_worker):
    functions_worker.call(1, "asleep", 5)
    functions_worker.send([PING, 2])
    assert functions_worker.recv() == [PONG, 2]
    functions_worker.send([CANCEL, 1])
    assert functions_worker.recv()[:2] == [ERROR, 1]


@pytest.mark.parametrize("message", [[PING], [PING, -1], [PING, 1, 2], [PING, "x"]])
def test_an_invalid_ping_is_logged_and_dropped(functions_worker, message):
    functions_worker.send(message)
    functions_worker.send([PING, 3])
    assert functions_worker.recv() == [PONG, 3]
    functions_worker.wait_for_stderr("ignored a message")
