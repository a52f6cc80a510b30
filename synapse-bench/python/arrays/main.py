"""numpy arrays for synapse-bench: ``nbytes`` takes a float64 ndarray and answers its size in
bytes (Java to Python), ``array`` answers a float64 ndarray of ``n`` elements (Python to Java). Each
answer of ``array`` is made once per length and kept, so that the figure measures the transfer, not
numpy filling the array."""

import numpy
import pysynapse

_arrays = {}


def nbytes(array):
    if array.dtype != numpy.float64:
        raise TypeError(f"expected a float64 ndarray, got {array.dtype}")
    return int(array.nbytes)


def array(n):
    data = _arrays.get(n)
    if data is None:
        data = _arrays[n] = numpy.arange(n, dtype=numpy.float64)
    return data


if __name__ == "__main__":
    pysynapse.serve({"nbytes": nbytes, "array": array})
