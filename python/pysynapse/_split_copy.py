"""Large copies in two halves at once, the worker's side of the JVM's ``SplitCopy``.

One memory copy on one core does not use all of the memory's bandwidth, and while the worker copies a
value out of shared memory the JVM's side of the transfer has nothing to do. So a copy of at least
``LEAST_BYTES`` on a machine with a second core runs as two ``memmove`` calls on two threads; ctypes
lets go of the GIL for the length of each. Where that cannot be done (another Python than CPython,
no ctypes, one core) the copy is the plain one; where no thread starts, or the helper is slow to
start, the calling thread copies both halves.

Both sides of a copy are held as exported buffers (``PyObject_GetBuffer``) until both halves are
done: a ``bytearray`` cannot be resized and an ``mmap`` cannot be closed under the threads. The
calling thread returns only once the helper cannot be copying any more, even when an exception (a
cancelled call) interrupts it, and raises that exception then.
"""

import _thread
import contextlib  # this module is imported by the first large value, never at start-up
import os
import sys

__all__ = ["LEAST_BYTES", "copy_into", "to_bytes"]

# Below this, starting a thread costs more than the second core saves.
LEAST_BYTES = 8 * 1024 * 1024

_UNUSABLE = False
_PYBUF_WRITABLE = 0x0001
_PYBUF_C_CONTIGUOUS = 0x0020 | 0x0010 | 0x0008  # and PyBUF_STRIDES, which implies PyBUF_ND
_native = None  # a _Native once loaded; _UNUSABLE where the split copy cannot be done


def to_bytes(source):
    """A ``bytes`` copy of the contiguous bytes-like ``source``."""
    data = memoryview(source)
    native = _splitter(data)
    if native is _UNUSABLE:
        return bytes(data)
    result = native.new_bytes(None, data.nbytes)
    # A bytes object nobody else has seen yet, filled in place as CPython's own C code does.
    with native.exported(data) as source_address:
        native.in_halves(native.address_of_bytes(result), source_address, data.nbytes)
    return result


def copy_into(target, source):
    """Copies the contiguous bytes-like ``source`` into the writable, contiguous ``target`` of the
    same length in bytes; the two must not overlap."""
    target_view, source_view = memoryview(target), memoryview(source)
    if target_view.readonly:
        raise TypeError("cannot copy into read-only memory")
    if target_view.nbytes != source_view.nbytes:
        raise ValueError(f"copy of {source_view.nbytes} bytes into {target_view.nbytes}")
    native = _splitter(target_view, source_view)
    if native is _UNUSABLE:
        target_view.cast("B")[:] = source_view.cast("B")
        return
    with native.exported(target_view, writable=True) as target_address:
        with native.exported(source_view) as source_address:
            native.in_halves(target_address, source_address, source_view.nbytes)


def _splitter(*views):
    """What splits a copy between these views, or _UNUSABLE: the copy is small, one of them is not
    contiguous, or the split cannot be done here."""
    if views[0].nbytes < LEAST_BYTES or not all(view.c_contiguous for view in views):
        return _UNUSABLE
    return _load()


def in_halves(copy, length):
    """Runs ``copy(start, end)`` over ``[0, length)``, the second half on a new thread if it claims
    that half before this one is done with the first (else this thread copies it too, as when no
    thread can start). Returns once both halves are copied, and raises what either raised.

    Whoever takes ``claim`` copies the second half. However this thread is interrupted (a cancelled
    call), it returns only once the helper cannot be copying any more: it takes ``claim`` itself, or,
    if it cannot, waits until the helper is ``over``. (A second interruption that lands while the
    first is being handled, before that wait, is not covered: Python cannot hold it off.)
    """
    half = length // 2
    claim = _thread.allocate_lock()
    finished = _thread.allocate_lock()
    finished.acquire()
    over, failure = [], []  # over: the helper copies nothing any more

    def second_half():
        try:
            if claim.acquire(False):
                copy(half, length)
        except BaseException as exc:  # raised by the caller
            failure.append(exc)
        finally:
            over.append(True)  # first: a waiter interrupted just after it took the lock looks here
            finished.release()

    try:
        try:
            _thread.start_new_thread(second_half, ())
        except RuntimeError:  # no thread can start: this one copies both halves
            over.append(True)
        copy(0, half)
        if claim.acquire(False):
            copy(half, length)
            return
        _wait_until(over, finished)
    except BaseException:
        if not claim.acquire(False):
            _wait_until(over, finished)
        raise
    if failure:
        raise failure[0]


def _wait_until(over, finished):
    """Waits until ``over`` holds, taking ``finished`` to sleep meanwhile; an exception that
    interrupts the wait is raised once it is over."""
    interrupted = None
    while not over:
        try:
            finished.acquire()
        except BaseException as exc:
            interrupted = exc
    if interrupted is not None:
        raise interrupted


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _load():
    global _native
    if _native is None:
        _native = _UNUSABLE
        if sys.implementation.name == "cpython" and _usable_cores() > 1:
            try:
                _native = _Native()
            except (ImportError, AttributeError, OSError):
                pass
    return _native


class _Native:
    """CPython's buffer and bytes functions and ``memmove``, through ctypes."""

    def __init__(self):
        import ctypes  # only once the first large value comes, not at start-up

        class PyBuffer(ctypes.Structure):  # Py_buffer: this layout since 3.3, stable ABI since 3.11
            _fields_ = [
                ("buf", ctypes.c_void_p),
                ("obj", ctypes.c_void_p),
                ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t),
                ("readonly", ctypes.c_int),
                ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p),
                ("shape", ctypes.c_void_p),
                ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p),
                ("internal", ctypes.c_void_p),
            ]

        # Prototypes of this module's own: setting argtypes on ctypes.pythonapi's functions would
        # change them for every other user of ctypes in the worker.
        api = ctypes.pythonapi
        get_buffer = ctypes.PYFUNCTYPE(
            ctypes.c_int, ctypes.py_object, ctypes.POINTER(PyBuffer), ctypes.c_int
        )(("PyObject_GetBuffer", api))
        release = ctypes.PYFUNCTYPE(None, ctypes.POINTER(PyBuffer))(("PyBuffer_Release", api))
        new_bytes = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.c_ssize_t)(
            ("PyBytes_FromStringAndSize", api)
        )
        self._ctypes = ctypes
        self._buffer_type = PyBuffer
        self._get_buffer = get_buffer
        self._release = release
        self._memmove = ctypes.memmove  # a foreign function: the GIL is let go while it runs
        self.new_bytes = new_bytes

    def address_of_bytes(self, data):
        ctypes = self._ctypes
        return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value

    @contextlib.contextmanager
    def exported(self, data, writable=False):
        """``with``: the address of ``data``'s buffer, exported C-contiguous (and writable, if
        asked) until the block ends. Raises what PyObject_GetBuffer raised (ctypes checks for a
        Python error after the call)."""
        view = self._buffer_type()
        flags = _PYBUF_C_CONTIGUOUS | (_PYBUF_WRITABLE if writable else 0)
        self._get_buffer(data, self._ctypes.byref(view), flags)
        try:
            yield view.buf or 0
        finally:
            self._release(self._ctypes.byref(view))

    def in_halves(self, target, source, length):
        memmove = self._memmove
        in_halves(lambda start, end: memmove(target + start, source + start, end - start), length)

