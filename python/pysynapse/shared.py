"""Arrays in the worker's shared memory, which go to the host without a copy.

::

    empty(shape, dtype) ──► an ndarray in a block of the worker's region, held by the array
    return it from a handler (alone, or in a list or dict) ──► the answer carries a reference, and
        the host gets an NDArray over the same memory, which the caller closes to free the block;
        here the array becomes read-only (the block is the host's now)
    never returned ──► the block is freed when the array is collected

Where the worker has no region (shared memory turned off, a host that does not offer it, no room),
these return plain numpy arrays, which answers copy as usual: code that uses them works either way.

Rules: an array goes as a view only if it is C-contiguous and starts its block (``arr``,
``arr.reshape(...)``, ``arr[:n]``), and only once; anything else (a strided slice, an array already
handed over) is copied. Do not write through other views of an array after returning it.
"""

import math

from . import _ndarray, _shm

__all__ = ["empty", "is_shared", "zeros"]


def empty(shape, dtype=float):
    """A new ndarray of ``shape`` and ``dtype`` in shared memory, its contents undefined (as
    ``numpy.empty``); a plain ``numpy.empty`` where there is no shared memory or no room, or for a
    dtype the wire format does not carry (see docs/protocol.md)."""
    import numpy as np

    dtype = np.dtype(dtype)
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    if not all(isinstance(n, int) and n >= 0 for n in dims):
        return np.empty(shape, dtype)  # numpy says what is wrong
    if dtype.str not in _ndarray.ITEM_SIZES:
        return np.empty(dims, dtype)
    array = _shm.new_array(np, dtype, dims, math.prod(dims))
    return array if array is not None else np.empty(dims, dtype)


def zeros(shape, dtype=float):
    """As :func:`empty`, its elements zero."""
    array = empty(shape, dtype)
    array.fill(0)
    return array


def is_shared(array):
    """Whether ``array`` is an array of :func:`empty` that can still go to the host as a view."""
    return _shm.is_owned(array)
