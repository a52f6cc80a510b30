"""Copies out of shared memory into fresh bytes (huge pages on Linux): same value as bytes()."""

import mmap
import os
import sys

import pytest

from pysynapse import _fresh


@pytest.mark.parametrize(
    "size",
    [0, 1, _fresh.HUGE_COPY_BYTES - 1, _fresh.HUGE_COPY_BYTES, _fresh.HUGE_COPY_BYTES + 4097, 9 << 20],
)
def test_a_copy_equals_bytes_of_the_view_and_is_independent_of_it(size):
    region = mmap.mmap(-1, max(size, 1))
    data = os.urandom(size)
    region[:size] = data
    view = memoryview(region)[:size].toreadonly()
    copy = _fresh.copy_bytes(view)
    assert type(copy) is bytes
    assert copy == data and hash(copy) == hash(data)
    region[:size] = bytes(size)  # the copy does not follow the region
    assert copy == data
    view.release()
    region.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="huge pages are advised on Linux")
def test_on_linux_a_large_copy_takes_the_huge_page_path():
    _fresh.copy_bytes(memoryview(bytes(_fresh.HUGE_COPY_BYTES)))
    assert _fresh._calls, "ctypes or madvise is missing: large copies fault 4 KiB pages"
