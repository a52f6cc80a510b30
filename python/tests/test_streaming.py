"""Streams end to end: STREAM, CREDIT, ITEM, END and CANCEL against a real worker process."""

import time

import pytest
from conftest import frame, worker_env

STREAM, CREDIT, CANCEL = 4, 3, 2
ITEM, END, ERROR = 3, 4, 2


def open_stream(worker, call_id, function, payload, credit):
    worker.send([STREAM, call_id, function, payload, credit])


def items(worker, call_id, count):
    received = [worker.recv() for _ in range(count)]
    assert received == [[ITEM, call_id, item] for item in range(count)], received
    return received


def query(worker, function, payload=None, call_id=900):
    worker.call(call_id, function, payload)
    answer = worker.recv()
    assert answer[:2] == [1, call_id], answer
    return answer[2]


def error_of(message, call_id):
    assert message[:2] == [ERROR, call_id], message
    return message[2]


def expect_cancelled(message, call_id):
    error = error_of(message, call_id)
    assert error["kind"] == "cancelled", error
    return error


@pytest.fixture
def worker(spawn):
    started = spawn("streams.py")
    started.ready()
    return started


def test_generator_items_then_end(worker):
    open_stream(worker, 1, "count", 5, 10)
    items(worker, 1, 5)
    assert worker.recv() == [END, 1]


def test_empty_generator_ends_at_once(worker):
    open_stream(worker, 1, "count", 0, 10)
    assert worker.recv() == [END, 1]


def test_an_item_is_not_held_back_by_a_slow_next_item(worker):
    open_stream(worker, 1, "progress", 3, 10)
    started = time.monotonic()
    assert worker.recv(timeout=1) == [ITEM, 1, "started"]
    assert time.monotonic() - started < 1
    assert worker.recv(timeout=5) == [ITEM, 1, "done"]
    assert worker.recv() == [END, 1]


def test_worker_sends_no_more_items_than_its_credit(worker):
    open_stream(worker, 1, "count", 100, 3)
    items(worker, 1, 3)
    worker.expect_no_frame(0.2)
    # The main thread is free while the stream waits for credit, and the generator ran no further.
    assert query(worker, "produced") == 3

    worker.send([CREDIT, 1, 2])
    assert [worker.recv() for _ in range(2)] == [[ITEM, 1, 3], [ITEM, 1, 4]]
    worker.expect_no_frame(0.2)
    assert query(worker, "produced") == 5


def test_zero_initial_credit_waits_for_credit(worker):
    open_stream(worker, 1, "count", 3, 0)
    worker.expect_no_frame(0.2)
    worker.send([CREDIT, 1, 10])
    items(worker, 1, 3)
    assert worker.recv() == [END, 1]


def test_producer_stays_within_the_window_while_the_host_takes_items(worker):
    window, total = 8, 5000
    open_stream(worker, 1, "count", total, window)
    granted = window
    taken = 0
    while taken < total:
        message = worker.recv()
        if message[0] == 1:  # the answer to "produced", asked below
            assert taken <= message[2] <= granted
            continue
        assert message == [ITEM, 1, taken]
        taken += 1
        assert taken <= granted
        if taken % (window // 2) == 0:
            granted += window // 2
            worker.send([CREDIT, 1, window // 2])
            if taken % 1000 == 0 and taken < total:
                worker.call(2, "produced", None)
    assert worker.recv() == [END, 1]


def test_cancel_closes_the_generator(worker):
    open_stream(worker, 1, "forever", "a", 5)
    items(worker, 1, 5)
    worker.send([CANCEL, 1])
    error = expect_cancelled(worker.recv(), 1)
    assert error["type"] == "pysynapse.CallCancelled"
    assert error["message"] == "stream 1 was cancelled by the host"
    assert query(worker, "closed") == {"closed": ["a"], "finally": ["a"]}
    worker.send([CANCEL, 1])  # known no more: nothing
    worker.send([CREDIT, 1, 5])  # credit for a stream that is gone is ignored
    worker.expect_no_frame(0.2)


def test_cancel_of_a_stream_with_credit_stops_it(worker):
    open_stream(worker, 1, "slow", 1000, 1000)
    assert worker.recv() == [ITEM, 1, 0]
    worker.send([CANCEL, 1])
    worker.call(2, "echo", "marker")
    late = 0
    while (message := worker.recv())[0] == ITEM:
        late += 1
    expect_cancelled(message, 1)
    while worker.recv() != [1, 2, "marker"]:
        late += 1
    assert late <= 1  # the item whose next() was running when the CANCEL came
    worker.expect_no_frame(0.3)


def test_error_part_way_comes_after_the_items(worker):
    open_stream(worker, 1, "fail_after", 3, 10)
    items(worker, 1, 3)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "handler"
    assert (error["type"], error["message"]) == ("ValueError", "failed after 3 items")
    assert "in fail_after" in error["traceback"]
    assert query(worker, "echo", "still serving") == "still serving"


def test_unencodable_item_ends_the_stream_with_an_encode_error(worker):
    open_stream(worker, 1, "unencodable_at", 2, 10)
    items(worker, 1, 2)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "encode"
    assert error["message"] == "stream item 2: cannot encode object of type 'set'"
    worker.expect_no_frame(0.2)


def test_item_larger_than_a_frame_ends_the_stream(spawn):
    worker = spawn("streams.py", env=worker_env(SYNAPSE_MAX_FRAME=2048))
    worker.ready()
    open_stream(worker, 1, "too_big_at", 1, 10)
    items(worker, 1, 1)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "encode"
    assert error["message"].startswith("stream item 1: the item is 4")
    assert "more than the maximum frame size of 2048 bytes" in error["message"]


def test_a_handler_returning_an_iterator_streams(worker):
    open_stream(worker, 1, "returns_iterator", 4, 10)
    items(worker, 1, 4)
    assert worker.recv() == [END, 1]


def test_streams_take_turns(worker):
    open_stream(worker, 1, "forever", "x", 1000)
    open_stream(worker, 2, "forever", "y", 1000)
    seen = {1: 0, 2: 0}
    for _ in range(1500):
        message = worker.recv()
        assert message[0] == ITEM
        assert message[2] == seen[message[1]]
        seen[message[1]] += 1
    assert seen[1] >= 500 and seen[2] >= 500
    worker.send([CANCEL, 1])
    worker.send([CANCEL, 2])
    worker.call(3, "closed", None)
    cancelled = set()
    while (message := worker.recv())[:2] != [1, 3]:
        if message[0] == ERROR:
            expect_cancelled(message, message[1])
            cancelled.add(message[1])
    assert cancelled == {1, 2}
    assert message == [1, 3, {"closed": ["x", "y"], "finally": ["x", "y"]}]


def test_plain_handler_through_stream_is_an_error(worker):
    open_stream(worker, 1, "plain", 7, 10)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "handler"
    assert error["type"] == "TypeError"
    assert error["message"].startswith("function 'plain' returned 'list', not a generator: ")
    open_stream(worker, 2, "coroutine", 7, 10)
    assert error_of(worker.recv(), 2)["message"].startswith(
        "function 'coroutine' returned 'coroutine', not a generator"
    )
    assert "never awaited" not in worker.sync_stderr()


def test_generator_through_call_is_an_error(worker):
    worker.call(1, "count", 3)
    error = error_of(worker.recv(), 1)
    assert error["type"] == "TypeError"
    assert error["message"] == (
        "function 'count' returned 'generator': consume it with stream() on the host; "
        "call() and invoke() take a single answer"
    )
    assert query(worker, "produced") == 0
    worker.call(2, "acount", 3)
    assert "returned 'async_generator'" in error_of(worker.recv(), 2)["message"]


def test_unknown_function_through_stream(worker):
    open_stream(worker, 1, "nope", None, 10)
    assert error_of(worker.recv(), 1)["kind"] == "function"


def test_cancel_of_a_queued_stream_drops_it(worker):
    worker.write(
        frame([1, 1, "echo", "first"]) + frame([STREAM, 2, "count", 3, 10]) + frame([CANCEL, 2])
    )
    answers = sorted([worker.recv(), worker.recv()])  # the CANCEL is answered at once
    assert answers[0] == [1, 1, "first"]
    error = expect_cancelled(answers[1], 2)
    assert error["message"] == "call 2 was cancelled before it started"
    worker.expect_no_frame(0.2)
    assert query(worker, "produced") == 0


def test_invalid_stream_messages_are_logged_and_ignored(worker):
    worker.send([STREAM, 1, "count", 3])
    worker.send([STREAM, 2, "count", 3, -1])
    worker.send([CREDIT, 3, 0])
    worker.send([CREDIT, -3, 1])
    stderr = worker.sync_stderr()
    assert "ignored an invalid STREAM message: [4, 1, 'count', 3]" in stderr
    assert "ignored an invalid STREAM message: [4, 2, 'count', 3, -1]" in stderr
    assert "ignored an invalid CREDIT message: [3, 3, 0]" in stderr
    assert "ignored an invalid CREDIT message: [3, -3, 1]" in stderr


def test_end_of_input_closes_open_generators(worker):
    open_stream(worker, 1, "forever", "open", 2)
    items(worker, 1, 2)
    worker.close_stdin()
    assert worker.wait() == 0
    assert "finally open" in worker.stderr()


# Async generators ---------------------------------------------------------------------------------


def test_async_generator_items_then_end(worker):
    open_stream(worker, 1, "acount", 5, 10)
    items(worker, 1, 5)
    assert worker.recv() == [END, 1]


def test_async_generator_waits_for_credit(worker):
    open_stream(worker, 1, "acount", 10, 2)
    items(worker, 1, 2)
    worker.expect_no_frame(0.2)
    assert query(worker, "produced") == 2
    worker.send([CREDIT, 1, 3])
    assert [worker.recv() for _ in range(3)] == [[ITEM, 1, i] for i in (2, 3, 4)]
    worker.expect_no_frame(0.2)
    worker.send([CREDIT, 1, 100])
    assert [worker.recv() for _ in range(5)] == [[ITEM, 1, i] for i in range(5, 10)]
    assert worker.recv() == [END, 1]


def answers_error(answers, call_id):
    (error,) = [message[2] for message in answers if message[:2] == [ERROR, call_id]]
    assert error["kind"] == "cancelled", error
    return error


def await_finally(worker, tag):
    deadline = time.monotonic() + 5
    while tag not in query(worker, "closed")["finally"]:
        assert time.monotonic() < deadline, f"the generator {tag!r} was not closed"
        time.sleep(0.01)


def test_cancel_closes_the_async_generator(worker):
    open_stream(worker, 1, "aforever", "async", 3)
    items(worker, 1, 3)
    worker.send([CANCEL, 1])
    error = expect_cancelled(worker.recv(), 1)
    assert error["type"] == "asyncio.exceptions.CancelledError"
    assert error["message"] == "stream 1 was cancelled"
    await_finally(worker, "async")
    worker.expect_no_frame(0.2)


def test_cancel_of_a_running_async_generator(worker):
    open_stream(worker, 1, "aforever", "busy", 10**9)
    for _ in range(100):
        assert worker.recv()[:2] == [ITEM, 1]
    worker.send([CANCEL, 1])
    worker.call(2, "echo", "marker")
    answers = []
    while len(answers) < 2:
        message = worker.recv()
        if message[0] != ITEM:
            answers.append(message)
    assert sorted(answers) == [[1, 2, "marker"], [ERROR, 1, answers_error(answers, 1)]]
    await_finally(worker, "busy")
    worker.expect_no_frame(0.2)


def test_async_error_part_way(worker):
    open_stream(worker, 1, "afail_after", 2, 10)
    items(worker, 1, 2)
    error = error_of(worker.recv(), 1)
    assert (error["kind"], error["type"]) == ("handler", "KeyError")
    assert "in afail_after" in error["traceback"]


def test_async_generator_raising_oserror_is_a_handler_error(worker):
    open_stream(worker, 1, "araises_oserror", None, 10)
    items(worker, 1, 1)
    error = error_of(worker.recv(), 1)
    assert (error["kind"], error["type"]) == ("handler", "OSError")
    assert error["message"] == "the disk is gone"


def test_async_generator_that_cancels_itself(worker):
    open_stream(worker, 1, "acancels_itself", None, 10)
    items(worker, 1, 1)
    error = error_of(worker.recv(), 1)
    assert error["kind"] == "cancelled"
    assert error["message"] == "stream 1 was cancelled"
