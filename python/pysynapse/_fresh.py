"""Copies of large values out of shared memory into fresh ``bytes``, backed by huge pages where the
system allows.

Why: a large ``bytes`` is memory the C library maps afresh for each value, and the first write to
each 4 KiB page of it faults; for tens of MiB those faults cost far more than the copy itself
(bench/results, "where the time goes"). numpy asks for transparent huge pages for its large arrays;
this does the same for ``bytes``: it makes the object without filling it, advises huge pages for its
buffer (``madvise(MADV_HUGEPAGE)``, Linux), then copies into it, before anyone else can see it.
Elsewhere, or if any step is unavailable, ``bytes(view)`` as before.
"""

import sys

__all__ = ["copy_bytes"]

# Below this, 4 KiB pages cost little and the ctypes calls would cost more than they save.
HUGE_COPY_BYTES = 4 * 1024 * 1024
_HUGE_PAGE = 2 * 1024 * 1024
_MADV_HUGEPAGE = 14

_calls = None  # (new bytes, madvise, buffer address), or False where unavailable


def _find_calls():
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        new_bytes = ctypes.pythonapi.PyBytes_FromStringAndSize
        new_bytes.restype = ctypes.py_object
        new_bytes.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.restype = ctypes.c_int
        madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)

        def address(value):
            return ctypes.cast(ctypes.c_char_p(value), ctypes.c_void_p).value

        def writable(start, size):
            return memoryview((ctypes.c_char * size).from_address(start)).cast("B")

        return new_bytes, madvise, address, writable
    except (ImportError, AttributeError, OSError):
        return False


def copy_bytes(view):
    """``bytes(view)`` for a contiguous memoryview of bytes, with huge pages for a large one."""
    global _calls
    size = view.nbytes
    if size < HUGE_COPY_BYTES:
        return bytes(view)
    if _calls is None:
        _calls = _find_calls()
    if not _calls:
        return bytes(view)
    new_bytes, madvise, address, writable = _calls
    value = new_bytes(None, size)  # not written yet: only its header's page is touched
    start = address(value)
    first = (start + _HUGE_PAGE - 1) & -_HUGE_PAGE  # the whole huge pages inside the buffer
    end = (start + size) & -_HUGE_PAGE
    if end > first:
        madvise(first, end - first, _MADV_HUGEPAGE)  # advice only: a failure changes nothing
    writable(start, size)[:] = view
    return value
