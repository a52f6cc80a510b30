"""Seed-style modules get one answer per request through: a second one ends the worker."""

import pytest

from pysynapse._stdio import SECOND_ANSWER_EXIT, SECOND_ANSWER_MESSAGE


@pytest.fixture
def worker(spawn):
    started = spawn("seed_twice.py")
    return started


def test_answers_of_any_shape_pass_one_per_request(worker):
    for request in ["first", "split", 7, "split", {"k": [1, 2]}]:
        worker.send(request)
        if request == "first":
            assert worker.ready()["mode"] == "legacy"
        assert worker.recv() == ["answer", request]
    worker.close_stdin()
    assert worker.wait() == 0


@pytest.mark.parametrize("request_", ["twice", "twice, one write"])
def test_a_second_answer_is_never_written_and_ends_the_worker(worker, request_):
    worker.send("first")
    worker.ready()
    assert worker.recv() == ["answer", "first"]
    worker.send(request_)
    assert worker.recv() == ["answer", request_]
    assert worker.wait() == SECOND_ANSWER_EXIT
    assert SECOND_ANSWER_MESSAGE.strip() in worker.stderr()
    assert worker.proc.stdout.read() == b""  # nothing of the second answer reached the pipe
