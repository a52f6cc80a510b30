"""Input streams end to end: CALL/STREAM with {"input": "stream"}, INPUT, INPUT_END, INPUT_ERROR
and INPUT_CREDIT against a real worker process (workers/inputs.py)."""

import random
import time

import pytest

CALL, CANCEL, CREDIT, STREAM = 1, 2, 3, 4
INPUT, INPUT_END, INPUT_ERROR = 5, 6, 7
RESULT, ERROR, ITEM, END, INPUT_CREDIT = 1, 2, 3, 4, 5
STREAM_INPUT = {"input": "stream"}


@pytest.fixture
def worker(spawn):
    started = spawn("inputs.py")
    started.ready()
    return started


def call_with_input(worker, call_id, function):
    worker.send([CALL, call_id, function, None, STREAM_INPUT])


def credit_of(message, call_id):
    assert message[:2] == [INPUT_CREDIT, call_id], message
    assert type(message[2]) is int and message[2] >= 1, message
    return message[2]


def feed(worker, call_id, items):
    """Sends ``items`` as the worker grants credit, never beyond it; returns the other frames."""
    items = list(items)
    credit = credit_of(worker.recv(), call_id)
    others = []
    while items:
        while credit and items:
            worker.send([INPUT, call_id, items.pop(0)])
            credit -= 1
        if not items:
            break
        message = worker.recv()
        if message[0] == INPUT_CREDIT and message[1] == call_id:
            credit += message[2]
        else:
            others.append(message)
    return others


def query(worker, function, payload=None, call_id=900):
    worker.send([CALL, call_id, function, payload])
    message = worker.recv()
    while message[0] == INPUT_CREDIT:
        message = worker.recv()
    assert message[:2] == [RESULT, call_id], message
    return message[2]


def next_answer(worker):
    """The next frame that is not INPUT_CREDIT."""
    while True:
        message = worker.recv()
        if message[0] != INPUT_CREDIT:
            return message


def test_stream_in_one_answer(worker):
    call_with_input(worker, 1, "total")
    assert feed(worker, 1, range(1000)) == []
    worker.send([INPUT_END, 1])
    assert next_answer(worker) == [RESULT, 1, sum(range(1000))]


def test_no_item_is_sent_before_credit_and_credit_keeps_the_window(worker):
    call_with_input(worker, 1, "slow_count")
    first = credit_of(worker.recv(), 1)
    assert first <= 64
    granted, sent = first, 0
    for _ in range(500):
        while sent < granted and sent < 500:
            worker.send([INPUT, 1, sent])
            sent += 1
        if sent == 500:
            break
        granted += credit_of(worker.recv(), 1)
        assert granted - sent <= 64  # the worker never holds more than its window
    worker.send([INPUT_END, 1])
    assert next_answer(worker) == [RESULT, 1, 500]


def test_empty_input(worker):
    call_with_input(worker, 1, "count")
    credit_of(worker.recv(), 1)
    worker.send([INPUT_END, 1])
    assert worker.recv() == [RESULT, 1, 0]


def test_stream_in_stream_out(worker):
    worker.send([STREAM, 1, "double", None, 100, STREAM_INPUT])
    others = feed(worker, 1, range(10))
    worker.send([INPUT_END, 1])
    answers = others + [next_answer(worker) for _ in range(11 - len(others))]
    assert answers == [[ITEM, 1, i * 2] for i in range(10)] + [[END, 1]]


def test_a_handler_returning_its_feed_streams_it(worker):
    worker.send([STREAM, 1, "passthrough", None, 100, STREAM_INPUT])
    others = feed(worker, 1, ["a", "b"])
    worker.send([INPUT_END, 1])
    answers = others + [next_answer(worker) for _ in range(3 - len(others))]
    assert answers == [[ITEM, 1, "a"], [ITEM, 1, "b"], [END, 1]]


def test_a_handler_that_returns_early_drops_the_rest(worker):
    call_with_input(worker, 1, "first")
    credit_of(worker.recv(), 1)
    worker.send([INPUT, 1, "only this"])
    assert next_answer(worker) == [RESULT, 1, "only this"]
    for i in range(5):  # items the host had on the way: dropped
        worker.send([INPUT, 1, i])
    worker.send([INPUT_END, 1])
    assert query(worker, "echo", "still serving") == "still serving"


def test_the_worker_reads_other_frames_while_a_handler_waits_for_input(worker):
    call_with_input(worker, 1, "count")
    credit_of(worker.recv(), 1)
    worker.send([CALL, 2, "echo", "queued"])  # runs after the plain handler
    call_with_input(worker, 3, "count")
    worker.send([CANCEL, 3])  # a queued call is dropped at once
    error = worker.recv()
    assert error[:2] == [ERROR, 3] and error[2]["kind"] == "cancelled", error
    worker.send([INPUT, 1, "x"])
    worker.send([INPUT_END, 1])
    assert next_answer(worker) == [RESULT, 1, 1]
    assert next_answer(worker) == [RESULT, 2, "queued"]


def test_the_hosts_iterator_failed_the_handler_catches_it(worker):
    call_with_input(worker, 1, "catch_input_error")
    feed(worker, 1, ["a", "b"])
    error = {"type": "java.lang.IllegalStateException", "message": "gone", "position": 2}
    worker.send([INPUT_ERROR, 1, error])
    assert next_answer(worker) == [
        RESULT,
        1,
        {
            "seen": ["a", "b"],
            "position": 2,
            "type": "java.lang.IllegalStateException",
            "message": "gone",
            "text": "the host's input stream failed at item 2: "
            "java.lang.IllegalStateException: gone",
        },
    ]


@pytest.mark.parametrize("function", ["count", "atotal"])
def test_the_hosts_iterator_failed_uncaught_the_call_fails_with_it(worker, function):
    call_with_input(worker, 1, function)
    feed(worker, 1, [1])
    worker.send([INPUT_ERROR, 1, {"type": "java.io.IOException", "message": "disk", "position": 1}])
    error = next_answer(worker)
    assert error[:2] == [ERROR, 1], error
    assert error[2]["type"] == "pysynapse.InputStreamError"
    assert error[2]["kind"] == "handler"
    assert error[2]["message"] == (
        "the host's input stream failed at item 1: java.io.IOException: disk"
    )


@pytest.mark.parametrize("function", ["fail_at", "afail_at"])
def test_a_handler_exception_names_the_input_item(worker, function):
    call_with_input(worker, 1, function)
    feed(worker, 1, ["a", "b", "boom", "c"])
    worker.send([INPUT_END, 1])
    error = next_answer(worker)
    assert error[:2] == [ERROR, 1], error
    assert error[2]["type"] == "ValueError"
    assert error[2]["message"] == "input item 2: bad item after 2"


def test_a_generator_exception_names_the_input_item(worker):
    worker.send([STREAM, 1, "double", None, 100, STREAM_INPUT])
    others = feed(worker, 1, [1, None])
    answers = others + [next_answer(worker) for _ in range(2 - len(others))]
    assert answers[0] == [ITEM, 1, 2]
    assert answers[1][:2] == [ERROR, 1] and answers[1][2]["type"] == "TypeError", answers
    assert answers[1][2]["message"].startswith("input item 1: unsupported operand")


@pytest.mark.parametrize("function", ["count", "atotal"])
def test_cancel_while_the_handler_waits_for_input(worker, function):
    call_with_input(worker, 1, function)
    feed(worker, 1, [1, 2])
    worker.send([CANCEL, 1])
    error = next_answer(worker)
    assert error[:2] == [ERROR, 1] and error[2]["kind"] == "cancelled", error
    worker.send([INPUT, 1, 3])  # on its way when the host cancelled: dropped
    assert query(worker, "echo", "still serving") == "still serving"


def test_cancel_while_the_handler_runs(worker):
    call_with_input(worker, 1, "hang")
    feed(worker, 1, ["x"])
    credit_of(worker.recv(), 1)  # granted when the handler took "x": it sleeps now
    worker.send([CANCEL, 1])
    error = next_answer(worker)
    assert error[:2] == [ERROR, 1] and error[2]["kind"] == "cancelled", error
    assert query(worker, "taken")["closed"] == 1


def test_a_cancel_at_any_moment_of_a_busy_feed_is_answered(worker):
    """The CANCEL lands while the handler works on an item, waits for the next one, or is about
    to take input_lock back for that wait: every moment ends in one "cancelled" answer (a signal
    that landed just after the lock was taken used to leave it held, and the worker stuck)."""
    moments = random.Random(20261130)
    for call_id in range(1, 301):
        call_with_input(worker, call_id, "slow_count")
        items = moments.randrange(1, 40)
        feed(worker, call_id, range(items))
        time.sleep(moments.random() * 0.005)
        worker.send([CANCEL, call_id])
        error = next_answer(worker)
        assert error[:2] == [ERROR, call_id] and error[2]["kind"] == "cancelled", error
    assert query(worker, "echo", "still serving") == "still serving"


def test_cancel_of_a_generator_waiting_for_input_closes_it(worker):
    worker.send([STREAM, 1, "double", None, 100, STREAM_INPUT])
    others = feed(worker, 1, [1])
    assert (others or [next_answer(worker)]) == [[ITEM, 1, 2]]
    worker.send([CANCEL, 1])
    error = next_answer(worker)
    assert error[:2] == [ERROR, 1] and error[2]["kind"] == "cancelled", error
    assert query(worker, "taken") == {"taken": 1, "closed": 1}


def test_async_stream_in_stream_out(worker):
    worker.send([STREAM, 1, "adouble", None, 100, STREAM_INPUT])
    others = feed(worker, 1, range(5))
    worker.send([INPUT_END, 1])
    answers = others + [next_answer(worker) for _ in range(6 - len(others))]
    assert answers == [[ITEM, 1, i * 2] for i in range(5)] + [[END, 1]]


def test_async_stream_in_one_answer(worker):
    call_with_input(worker, 1, "atotal")
    feed(worker, 1, range(300))
    worker.send([INPUT_END, 1])
    assert next_answer(worker) == [RESULT, 1, sum(range(300))]


def test_input_for_an_unknown_call_is_dropped(worker):
    worker.send([INPUT, 77, "nobody wants this"])
    worker.send([INPUT_END, 77])
    worker.send([INPUT_ERROR, 77, {"type": "x", "message": "y", "position": 0}])
    assert query(worker, "echo", 1) == 1
    worker.expect_no_frame(0.1)


def test_the_host_closing_the_input_ends_a_waiting_handler(worker):
    call_with_input(worker, 1, "count")
    credit_of(worker.recv(), 1)
    worker.close_stdin()
    assert worker.wait() == 0


def test_async_calls_are_served_while_a_plain_handler_waits_for_input(worker):
    call_with_input(worker, 1, "count")
    credit_of(worker.recv(), 1)
    worker.send([CALL, 2, "echo", "plain: after the handler"])
    worker.send([CALL, 3, "aecho", "async: at once"])
    worker.send([STREAM, 4, "adouble", None, 10, STREAM_INPUT])
    started = sorted([worker.recv(), worker.recv()])  # in either order
    assert started[0] == [RESULT, 3, "async: at once"]
    credit_of(started[1], 4)
    worker.send([INPUT, 4, 21])
    assert next_answer(worker) == [ITEM, 4, 42]
    worker.send([INPUT_END, 4])
    assert next_answer(worker) == [END, 4]
    worker.send([INPUT_END, 1])
    assert next_answer(worker) == [RESULT, 1, 0]
    assert next_answer(worker) == [RESULT, 2, "plain: after the handler"]
