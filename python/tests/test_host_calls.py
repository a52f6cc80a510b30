"""pysynapse.host end to end, this test acting as the host: HOST_CALL out, HOST_RESULT or
HOST_ERROR back, and the worker serving the host's calls while a handler waits."""

import pytest

import pysynapse
from pysynapse import host

CALL, CANCEL = 1, 2
RESULT, ERROR = 1, 2
HOST_CALL, HOST_CANCEL, HOST_RESULT, HOST_ERROR = 6, 7, 8, 9


@pytest.fixture
def worker(spawn):
    started = spawn("host_calls.py")
    started.ready()
    return started


def host_call(worker, name, parent):
    message = worker.recv()
    assert message[0] == HOST_CALL and message[2] == name and message[4] == parent, message
    return message


def java_failure(kind="java", java_type="java.lang.IllegalStateException", message="no stock"):
    trace = f"{java_type}: {message}\n\tat com.example.Shop.stock(Shop.java:42)\n"
    return {"type": java_type, "message": message, "traceback": trace, "kind": kind}


def test_the_host_module_is_exported():
    assert "host" in pysynapse.__all__
    assert issubclass(host.UnknownFunctionError, host.JavaError)
    assert issubclass(host.UnknownFunctionError, LookupError)
    assert host.CallCancelled is pysynapse.CallCancelled


def test_outside_serve_a_call_is_a_clear_error():
    with pytest.raises(RuntimeError, match="only be called while pysynapse.serve"):
        host.call("f", 1)


@pytest.mark.parametrize("function", ["ask", "ask_async"])
def test_a_handler_gets_the_hosts_answer(worker, function):
    worker.call(1, function, {"fn": "price", "arg": {"sku": "a-1"}})
    _, cid, _, payload, _ = host_call(worker, "price", 1)
    assert payload == {"sku": "a-1"}
    worker.send([HOST_RESULT, cid, {"price": 9.5}])
    assert worker.recv() == [RESULT, 1, {"price": 9.5}]


def test_a_single_plain_handler_waiting_for_the_host_serves_the_hosts_calls_meanwhile(worker):
    """The re-entrant case: the host function calls the same worker while its handler waits."""
    worker.call(1, "ask", {"fn": "reenter"})
    _, outer, _, _, _ = host_call(worker, "reenter", 1)
    worker.call(2, "ask", {"fn": "deeper"})  # the host function calls the worker again
    _, inner, _, _, _ = host_call(worker, "deeper", 2)
    worker.call(3, "echo", "innermost")
    assert worker.recv() == [RESULT, 3, "innermost"]
    worker.send([HOST_RESULT, inner, "from host 2"])
    assert worker.recv() == [RESULT, 2, "from host 2"]
    worker.send([HOST_RESULT, outer, "from host 1"])
    assert worker.recv() == [RESULT, 1, "from host 1"]
    worker.call(4, "echo", "still serving")
    assert worker.recv() == [RESULT, 4, "still serving"]


def test_an_async_handler_waiting_for_the_host_leaves_the_loop_free(worker):
    worker.call(1, "ask_async", {"fn": "slow"})
    _, cid, _, _, _ = host_call(worker, "slow", 1)
    worker.call(2, "echo", "meanwhile")
    assert worker.recv() == [RESULT, 2, "meanwhile"]
    worker.send([HOST_RESULT, cid, 7])
    assert worker.recv() == [RESULT, 1, 7]


def test_threads_of_a_plain_handler_each_get_their_own_answer(worker):
    worker.call(1, "ask_from_threads", {"fn": "square", "threads": 8})
    calls = [host_call(worker, "square", 1) for _ in range(8)]
    for _, cid, _, index, _ in reversed(calls):
        worker.send([HOST_RESULT, cid, index * index])
    assert worker.recv() == [RESULT, 1, [i * i for i in range(8)]]


def test_a_blocking_call_on_the_event_loop_is_refused(worker):
    worker.call(1, "blocking_call_in_async", None)
    message = worker.recv()
    assert message[:2] == [RESULT, 1] and "call_async" in message[2]


@pytest.mark.parametrize("function", ["java_error", "ask"])
def test_a_java_exception_is_a_java_error_with_class_message_and_stack_trace(worker, function):
    worker.call(1, function, {"fn": "stock"})
    _, cid, _, _, _ = host_call(worker, "stock", 1)
    worker.send([HOST_ERROR, cid, java_failure()])
    message = worker.recv()
    if function == "java_error":
        error = message[2]
        assert error["class"] == "JavaError" and not error["lookup"]
        assert error["java_type"] == "java.lang.IllegalStateException"
        assert error["java_message"] == "no stock"
        assert "Shop.java:42" in error["java_stack_trace"]
    else:  # not caught: the host's caller gets it as the handler's error
        assert message[:2] == [ERROR, 1]
        assert message[2]["type"] == "pysynapse.host.JavaError"
        assert message[2]["message"] == "java.lang.IllegalStateException: no stock"


def test_an_unknown_function_is_an_unknown_function_error(worker):
    worker.call(1, "java_error", {"fn": "nope"})
    _, cid, _, _, _ = host_call(worker, "nope", 1)
    worker.send([HOST_ERROR, cid, java_failure("function", "java.util.NoSuchElementException",
                                               "the host exposes no function named 'nope'")])
    error = worker.recv()[2]
    assert error["class"] == "UnknownFunctionError" and error["lookup"]
    assert error["kind"] == "function"


def test_a_cancel_of_the_outer_call_ends_a_plain_wait_with_call_cancelled(worker):
    worker.call(1, "wait_for_cancel", "forever")
    host_call(worker, "forever", 1)
    worker.send([CANCEL, 1])
    message = worker.recv()
    assert message[:2] == [ERROR, 1] and message[2]["kind"] == "cancelled", message
    assert message[2]["type"] == "pysynapse.CallCancelled"
    worker.call(2, "recorded", None)
    assert worker.recv() == [RESULT, 2, "cancelled: call 1 was cancelled by the host"]


def test_a_cancel_of_an_async_call_withdraws_its_host_call(worker):
    worker.call(1, "ask_async", {"fn": "forever"})
    _, cid, _, _, _ = host_call(worker, "forever", 1)
    worker.send([CANCEL, 1])
    frames = [worker.recv(), worker.recv()]
    assert [HOST_CANCEL, cid] in frames
    error = next(f for f in frames if f[0] == ERROR)
    assert error[1] == 1 and error[2]["kind"] == "cancelled"


def test_a_host_call_refused_as_cancelled_raises_call_cancelled(worker):
    worker.call(1, "call_after_cancel", "late_fn")
    worker.wait_for_stderr("started call_after_cancel")
    worker.send([CANCEL, 1])
    _, cid, _, _, _ = host_call(worker, "late_fn", 1)
    refusal = "call 1 was cancelled or timed out: the host refuses the calls made for it"
    worker.send([HOST_ERROR, cid, java_failure("cancelled", "CancellationException", refusal)])
    assert worker.recv() == [RESULT, 1, "late"]
    worker.call(2, "recorded", None)
    assert worker.recv() == [RESULT, 2, f"refused: {refusal}"]


def test_answers_for_calls_no_longer_waiting_are_ignored(worker):
    worker.send([HOST_RESULT, 999, "nobody waits"])
    worker.send([HOST_ERROR, 998, java_failure()])
    worker.call(1, "echo", "fine")
    assert worker.recv() == [RESULT, 1, "fine"]


def test_the_end_of_input_ends_a_wait(worker):
    worker.call(1, "ask", {"fn": "never"})
    host_call(worker, "never", 1)
    worker.close_stdin()
    assert worker.wait() == 0


def test_a_payload_that_cannot_be_encoded_raises_in_the_handler_and_sends_nothing(worker):
    worker.call(1, "ask_unencodable", None)
    message = worker.recv()
    assert message[:2] == [ERROR, 1] and message[2]["type"] == "TypeError", message
    worker.call(2, "ask", {"fn": 3})
    message = worker.recv()
    assert message[:2] == [ERROR, 2] and message[2]["type"] == "TypeError", message
    assert "must be a str" in message[2]["message"]
    worker.expect_no_frame(0.2)
