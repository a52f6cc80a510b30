"""Large copies in two halves on two threads (pysynapse._split_copy): exact results around the size
where splitting starts, the two halves really on two threads, and a wait for the helper's half that
holds even when the calling thread is interrupted."""

import _thread
import mmap
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import worker_env

from pysynapse import _split_copy

LEAST = _split_copy.LEAST_BYTES
SIZES = [LEAST - 1, LEAST, LEAST + 1, 3 * LEAST + 7]


def test_the_split_copy_is_used_where_cpython_has_a_second_core():
    usable = sys.implementation.name == "cpython" and _split_copy._usable_cores() > 1
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


def _in_wait(thread_ident):
    """Whether the thread is inside _split_copy._wait_until (waiting for the helper)."""
    frame = sys._current_frames().get(thread_ident)
    while frame is not None:
        if frame.f_code is _split_copy._wait_until.__code__:
            return True
        frame = frame.f_back
    return False


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX signals")
def test_an_interrupted_wait_still_waits_for_the_helper_then_raises():
    class Interrupted(Exception):
        pass

    caller = _thread.get_ident()
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
        deadline = time.monotonic() + 10
        while not _in_wait(caller) and time.monotonic() < deadline:
            time.sleep(0.001)
        signal.pthread_kill(caller, signal.SIGUSR1)  # lands in the caller's wait for this half
        handled.wait(10)
        helper_done.append(end)

    previous = signal.signal(signal.SIGUSR1, on_signal)
    try:
        with pytest.raises(Interrupted):
            _split_copy.in_halves(copy, 10)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert handled.is_set() and helper_done == [10]


def test_an_interruption_as_the_wait_begins_still_waits_for_the_helper(monkeypatch):
    class Interrupted(Exception):
        pass

    wait = _split_copy._wait_until
    calls = []

    def interrupted_once(over, finished):
        calls.append(len(over))
        if len(calls) == 1:
            raise Interrupted  # as a signal handler raising at the wait's first instruction
        wait(over, finished)

    monkeypatch.setattr(_split_copy, "_wait_until", interrupted_once)
    helper_began, helper_done = threading.Event(), []

    def copy(start, end):
        if start == 0:
            assert helper_began.wait(10)
            return
        helper_began.set()
        time.sleep(0.05)  # still copying when the caller is interrupted
        helper_done.append(end)

    with pytest.raises(Interrupted):
        _split_copy.in_halves(copy, 10)
    assert helper_done == [10] and len(calls) == 2


_RELEASE_THEN_INTERRUPT = """
import _thread, signal, sys, threading, time
from pysynapse import _split_copy

class Interrupted(BaseException):
    pass

def on_signal(signum, frame):
    raise Interrupted

signal.signal(signal.SIGUSR1, on_signal)
caller = threading.get_ident()

class SignallingLock:
    # The helper's release, then at once a signal for the caller: its handler runs just after the
    # caller's acquire has returned.
    def __init__(self):
        self.lock = _thread.allocate_lock()

    def acquire(self, *args):
        return self.lock.acquire(*args)

    def release(self):
        self.lock.release()
        if threading.get_ident() != caller:
            signal.pthread_kill(caller, signal.SIGUSR1)

class Threads:
    allocate_lock = SignallingLock
    start_new_thread = staticmethod(_thread.start_new_thread)

_split_copy._thread = Threads
began = threading.Event()

def waiting(thread_ident):
    frame = sys._current_frames().get(thread_ident)
    while frame is not None and frame.f_code is not _split_copy._wait_until.__code__:
        frame = frame.f_back
    return frame is not None

def copy(start, end):
    if start == 0:
        began.wait(10)
    else:
        began.set()
        while not waiting(caller):  # the caller sleeps in the wait when this half ends
            time.sleep(0.001)

try:
    _split_copy.in_halves(copy, 10)
except Interrupted:
    print("raised after the wait")
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX signals")
def test_an_interruption_right_after_the_helper_finished_does_not_hang_the_caller():
    result = subprocess.run(
        [sys.executable, "-c", _RELEASE_THEN_INTERRUPT],
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "raised after the wait"


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
