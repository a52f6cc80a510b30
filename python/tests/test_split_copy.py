"""Large copies in two halves on two threads (pysynapse._split_copy): exact results around the size
where splitting starts, the two halves really on two threads, and a wait for the helper's half that
holds even when the calling thread is interrupted."""

import _thread
import mmap
import os
import signal
import sys
import threading
import time

import pytest

from pysynapse import _split_copy

LEAST = _split_copy.LEAST_BYTES
SIZES = [LEAST - 1, LEAST, LEAST + 1, 3 * LEAST + 7]


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def test_the_split_copy_is_used_where_cpython_has_a_second_core():
    usable = sys.implementation.name == "cpython" and _cores() > 1
    assert (_split_copy._load() is not _split_copy._UNUSABLE) == usable


@pytest.mark.parametrize("size", SIZES)
def test_bytes_out_of_a_read_only_mapping_are_exact(size):
    data = os.urandom(size)
    mapped = mmap.mmap(-1, size)
    mapped[:] = data
    readonly = memoryview(mapped).toreadonly()
    copied = _split_copy.to_bytes(readonly)
    assert type(copied) is bytes
    assert copied == data
    readonly.release()
    mapped.close()  # no buffer of it is left exported


@pytest.mark.parametrize("size", SIZES)
def test_a_copy_into_a_mapping_or_a_bytearray_is_exact(size):
    data = os.urandom(size)
    mapped = mmap.mmap(-1, size + 3)
    _split_copy.copy_into(memoryview(mapped)[3:], data)
    assert mapped[3:] == data and mapped[:3] == b"\0\0\0"
    target = bytearray(size)
    _split_copy.copy_into(target, memoryview(data))
    assert target == data
    target.append(1)  # resizable again: the copy let go of its buffer


def test_lengths_must_match_and_the_target_be_writable():
    with pytest.raises(ValueError, match="copy of 3 bytes into 2"):
        _split_copy.copy_into(bytearray(2), b"abc")
    for size in (3, LEAST):
        with pytest.raises(TypeError, match="read-only"):
            _split_copy.copy_into(bytes(size), bytes(size))


def test_ctypes_own_prototypes_of_cpythons_functions_stay_as_they_were():
    import ctypes
    _split_copy.to_bytes(bytes(LEAST))
    assert ctypes.pythonapi.PyObject_GetBuffer.argtypes is None
    assert ctypes.pythonapi.PyBytes_FromStringAndSize.restype is ctypes.c_int


def test_the_halves_run_on_two_threads():
    helper_began = threading.Event()
    ranges = []

    def copy(start, end):
        ranges.append((start, end, _thread.get_ident()))
        if start == 0:
            assert helper_began.wait(10)
        else:
            helper_began.set()

    _split_copy.in_halves(copy, 11)
    assert sorted(r[:2] for r in ranges) == [(0, 5), (5, 11)]
    assert len({r[2] for r in ranges}) == 2


def test_a_helper_that_starts_late_finds_its_half_copied(monkeypatch):
    go, helper_ran = threading.Event(), threading.Event()
    start_thread = _thread.start_new_thread

    class LateThreads:
        allocate_lock = staticmethod(_thread.allocate_lock)

        @staticmethod
        def start_new_thread(function, args):
            def late():
                go.wait(10)
                function(*args)
                helper_ran.set()

            return start_thread(late, ())

    monkeypatch.setattr(_split_copy, "_thread", LateThreads)
    ranges = []
    _split_copy.in_halves(lambda start, end: ranges.append((start, end, _thread.get_ident())), 10)
    go.set()
    assert helper_ran.wait(10)
    me = _thread.get_ident()
    assert ranges == [(0, 5, me), (5, 10, me)]


def test_the_helpers_half_is_waited_for_when_this_threads_half_fails():
    helper_began, caller_failed = threading.Event(), threading.Event()
    helper_done = []

    def copy(start, end):
        if start == 0:
            assert helper_began.wait(10)
            caller_failed.set()
            raise KeyboardInterrupt  # as a cancelled call interrupts the serve loop
        helper_began.set()
        caller_failed.wait(10)
        time.sleep(0.05)  # a copy still under way when the caller fails
        helper_done.append(end)

    with pytest.raises(KeyboardInterrupt):
        _split_copy.in_halves(copy, 10)
    assert helper_done == [10]


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")
def test_an_interrupted_wait_still_waits_for_the_helper_then_raises():
    class Interrupted(Exception):
        pass

    helper_began, handled = threading.Event(), threading.Event()
    helper_done = []

    def on_signal(signum, frame):
        handled.set()
        raise Interrupted

    def copy(start, end):
        if start == 0:
            assert helper_began.wait(10)
            return
        helper_began.set()
        os.kill(os.getpid(), signal.SIGUSR1)  # the caller is done with its half, or nearly
        handled.wait(10)
        helper_done.append(end)

    previous = signal.signal(signal.SIGUSR1, on_signal)
    try:
        with pytest.raises(Interrupted):
            _split_copy.in_halves(copy, 10)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert handled.is_set() and helper_done == [10]


def test_a_failure_in_the_helpers_half_is_raised_by_the_caller():
    helper_began = threading.Event()

    def copy(start, end):
        if start == 0:
            assert helper_began.wait(10)
            return
        helper_began.set()
        raise MemoryError("helper")

    with pytest.raises(MemoryError, match="helper"):
        _split_copy.in_halves(copy, 10)


def test_without_a_thread_the_caller_copies_everything(monkeypatch):
    class NoThreads:
        allocate_lock = staticmethod(_thread.allocate_lock)

        @staticmethod
        def start_new_thread(function, args):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_split_copy, "_thread", NoThreads)
    ranges = []
    _split_copy.in_halves(lambda start, end: ranges.append((start, end)), 10)
    assert ranges == [(0, 5), (5, 10)]
