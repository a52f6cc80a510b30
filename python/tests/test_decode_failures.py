"""Frames the worker cannot decode: a CALL or STREAM whose id can be read is answered with ERROR
kind "decode" and the worker goes on; values nested deeper than 512 levels are refused both ways."""

import struct

import pytest

ERROR = 2


@pytest.fixture
def worker(functions_worker):
    return functions_worker


def raw_frame(body):
    return struct.pack("<I", len(body)) + body


def call_body(id_bytes, payload_bytes, kind=b"\x01", function=b"\xa4echo"):
    return b"\x94" + kind + id_bytes + function + payload_bytes


DEEP = b"\x91" * 600 + b"\x01"
OUT_OF_RANGE_TIME = bytes.fromhex("c70cff" "00000000" "7fffffffffffffff")
LIST_KEY = b"\x81\x91\x01\x02"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (DEEP, "more than 512 levels deep"),
        (OUT_OF_RANGE_TIME, "outside the range of Python's datetime"),
        (LIST_KEY, "a map key that is an array or a map"),
        (b"\xc1", "invalid MessagePack type byte"),
    ],
)
@pytest.mark.parametrize(
    ("id_bytes", "call_id"),
    [(b"\x07", 7), (b"\xcd\x01\x00", 256), (b"\xcf" + b"\xff" * 8, 2**64 - 1)],
)
def test_a_call_that_cannot_be_decoded_is_answered_with_a_decode_error(
    worker, payload, reason, id_bytes, call_id
):
    worker.write(raw_frame(call_body(id_bytes, payload)))
    message = worker.recv()
    assert message[:2] == [ERROR, call_id], message
    error = message[2]
    assert error["kind"] == "decode"
    assert error["message"].startswith(f"the worker could not decode the input of call {call_id}: ")
    assert reason in error["message"]
    worker.call(1, "echo", "still serving")
    assert worker.recv() == [1, 1, "still serving"]


def test_a_stream_that_cannot_be_decoded_is_answered_with_a_decode_error(worker):
    worker.write(raw_frame(b"\x95\x04\x09\xa4echo" + DEEP + b"\x08"))
    message = worker.recv()
    assert message[:2] == [ERROR, 9] and message[2]["kind"] == "decode", message


@pytest.mark.parametrize(
    "body",
    [
        b"\x92\x02" + DEEP,  # a CANCEL: nobody waits for an answer
        b"\x94\x01\xa1x\xa4echo\x01",  # an id that is not an integer
        b"\xc1\x01\x02",
        b"\x94",
    ],
)
def test_other_frames_that_cannot_be_decoded_are_logged_and_dropped(worker, body):
    worker.write(raw_frame(body))
    worker.call(1, "echo", "next")
    assert worker.recv() == [1, 1, "next"]
    assert "[pysynapse:ERROR:pysynapse]" in worker.sync_stderr()


def test_the_deepest_payload_allowed_round_trips(worker):
    payload = b"\x91" * 511 + b"\x91\x01"  # 512 levels
    worker.write(raw_frame(call_body(b"\x03", payload)))
    answer = worker.recv()
    assert answer[:2] == [1, 3]
    depth, value = 0, answer[2]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert (depth, value) == (512, 1)


def test_a_result_nested_too_deeply_is_an_encode_error(worker):
    worker.call(4, "nest", 513)
    message = worker.recv()
    assert message[:2] == [ERROR, 4], message
    assert message[2]["kind"] == "encode"
    assert "more than 512 levels deep" in message[2]["message"]
    worker.call(5, "nest", 512)
    assert worker.recv()[:2] == [1, 5]
