"""Large values for the shared-memory suite of synapse-bench: ``size`` and ``nbytes`` take a value
and answer its length (Java to Python), ``blob`` and ``array`` answer one made once per size (Python
to Java), ``double`` answers a new array twice the one it got (both ways), ``copy_seconds`` times
numpy's ``copyto`` between two pre-touched arrays, this machine's memory-copy floor, and
``split_copy_seconds`` the worker's copy of a large value out of shared memory, whole and in
halves. For the zero-copy suite: ``touch`` writes one element of the array it gets (a view of the
caller's shared memory), and ``shared_array`` answers a new ``pysynapse.shared`` array (a view for
the caller)."""

import time

import numpy

import pysynapse
from pysynapse import shared

_blobs = {}
_arrays = {}


def size(data):
    return len(data)


def nbytes(array):
    return array.nbytes


def blob(n):
    data = _blobs.get(n)
    if data is None:
        data = _blobs[n] = bytes(range(256)) * (n // 256) + bytes(n % 256)
    return data


def array(n):
    made = _arrays.get(n)
    if made is None:
        made = _arrays[n] = numpy.arange(n, dtype=numpy.float64)
    return made


def double(values):
    return values * 2


def touch(array):
    array[0] += 1


def shared_array(n):
    return shared.empty(n, numpy.float64)


def copy_seconds(spec):
    """The median time of ``repetitions`` copies of ``n`` bytes between pre-touched arrays."""
    source = numpy.ones(spec["n"], dtype=numpy.uint8)
    target = numpy.zeros_like(source)
    numpy.copyto(target, source)
    times = []
    for _ in range(spec["repetitions"]):
        started = time.perf_counter()
        numpy.copyto(target, source)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def split_copy_seconds(spec):
    """The median times of ``repetitions`` copies of ``n`` bytes out of this worker's shared memory
    into new ``bytes``, taken in turns: one copy (``bytes()``) and pysynapse's copy in two halves
    on two threads, as the codec makes of a large value the host placed there."""
    from pysynapse import _split_copy

    array = shared.empty(spec["n"], numpy.uint8)
    if not shared.is_shared(array):
        raise RuntimeError("the worker's region has no room for the copy to time")
    view = memoryview(array).cast("B")
    view[:] = b"\x01" * spec["n"]
    plain, split = [], []
    for _ in range(spec["repetitions"]):
        for copy, times in ((bytes, plain), (_split_copy.to_bytes, split)):
            started = time.perf_counter()
            copy(view)
            times.append(time.perf_counter() - started)
    return [sorted(times)[len(times) // 2] for times in (plain, split)]


if __name__ == "__main__":
    pysynapse.serve(
        {
            "size": size,
            "nbytes": nbytes,
            "blob": blob,
            "array": array,
            "double": double,
            "copy_seconds": copy_seconds,
            "split_copy_seconds": split_copy_seconds,
            "touch": touch,
            "shared_array": shared_array,
        }
    )
