"""pysynapse.shared and the explicit zero-copy path of _shm, in this process: segments are mapped
from real files as the host would give them, and what the codec writes is decoded back.

Runs with the interpreter's codec (msgpack where it is installed, the pure codec elsewhere).
"""

import mmap
import os
import tempfile
import threading
import time

import pytest

np = pytest.importorskip("numpy")

from pysynapse import ExtType, _codec, _shm, shared  # noqa: E402

SIZE = 1024 * 1024
WORKER_SEGMENT = 4
LENT_SEGMENT = 5
HOST_SEGMENT = 6


def _map(directory, index, role):
    """Maps a new segment file as the host's MAP would; returns the host's own mapping of it."""
    fd, path = tempfile.mkstemp(dir=directory, prefix="synapse-")
    os.ftruncate(fd, SIZE)
    os.fchmod(fd, 0o600)
    host_map = mmap.mmap(fd, SIZE)
    os.close(fd)
    _shm.on_map([_shm.MAP, index, path, SIZE, role])
    assert not os.path.exists(path)
    return host_map


@pytest.fixture
def sent():
    messages = []
    _shm.attach(lambda body: messages.append(_codec.decode(body)))
    try:
        yield messages
    finally:
        _shm.detach()


@pytest.fixture
def region(tmp_path, sent):
    """A worker segment (role 1) and a lent one (role 2); the host's mappings of them."""
    worker = _map(str(tmp_path), WORKER_SEGMENT, 1)
    lent = _map(str(tmp_path), LENT_SEGMENT, 2)
    assert sent == [[_shm.MAPPED, WORKER_SEGMENT], [_shm.MAPPED, LENT_SEGMENT]]
    del sent[:]
    return worker, lent


def _kept_reference(answer):
    """Encodes ``[1, 7, answer]`` as the worker answers and returns the reference it carries in
    place of the array, decoded."""
    body = bytes(_codec.encode_body([1, 7, answer]))
    marker = bytes([0xC7]) if b"\xc7" in body else None
    assert marker is not None, "no ext 8 value in the answer"
    start = body.index(b"\xc7")
    length, code = body[start + 1], body[start + 2]
    assert code == _shm.EXT_CODE
    return _codec.decode(body[start + 3 : start + 3 + length]), body


def test_without_a_region_empty_is_a_plain_array(sent):
    array = shared.empty((2, 3), "f8")
    assert type(array) is np.ndarray and array.shape == (2, 3) and array.flags.writeable
    assert not shared.is_shared(array)
    assert shared.zeros(4, "i4").tolist() == [0, 0, 0, 0]
    array[...] = 5
    assert _codec.decode(bytes(_codec.encode_body([1, 7, array])))[2].tolist() == array.tolist()


def test_an_array_of_empty_is_in_the_worker_segment_and_goes_as_a_reference(region):
    worker, _ = region
    array = shared.empty((3, 4), "<i4")
    assert shared.is_shared(array)
    array.reshape(-1)[:] = np.arange(12)
    reference, body = _kept_reference(array)
    code, index, offset, length, header = reference
    assert (code, index, length, header) == (1, WORKER_SEGMENT, 48, ["<i4", [3, 4]])
    assert len(body) < 64  # the data is not in the frame
    assert np.frombuffer(worker[offset : offset + 48], "<i4").tolist() == list(range(12))
    # the block is the host's now: the array is read-only and goes as a copy from now on
    assert not array.flags.writeable
    assert not shared.is_shared(array)
    assert _shm._segments[WORKER_SEGMENT].blocks.used.get(offset) == 64
    _shm.on_release([_shm.RELEASE, [WORKER_SEGMENT, offset]])
    assert offset not in _shm._segments[WORKER_SEGMENT].blocks.used


def test_arrays_in_lists_and_dicts_go_as_references_too(region):
    first, second = shared.zeros(10), shared.zeros(10)
    body = bytes(_codec.encode_body([1, 7, {"a": [first], "b": second}]))
    assert body.count(bytes([_shm.EXT_CODE])) >= 2 and len(body) < 120
    assert not first.flags.writeable and not second.flags.writeable


def test_a_view_that_does_not_start_the_block_is_copied(region):
    array = shared.zeros(100)
    for part in (array[1:], array[::2]):
        assert not shared.is_shared(part)
        decoded = _codec.decode(bytes(_codec.encode_body([1, 7, part])))[2]
        assert decoded.tolist() == part.tolist()
    assert array.flags.writeable  # still this worker's
    assert shared.is_shared(array[:10])  # a prefix starts the block


def test_the_block_of_a_collected_array_is_freed(region):
    blocks = _shm._segments[WORKER_SEGMENT].blocks
    for _ in range(100):  # far more than the segment holds at once
        array = shared.empty(SIZE // 4, "u1")
        assert shared.is_shared(array)
        del array  # its last reference: collected at once
    assert len(blocks.used) <= 1


def test_no_room_gives_a_plain_array(region, sent):
    held = shared.empty(SIZE - 64, "u1")
    assert shared.is_shared(held)
    other = shared.empty(1024, "u1")
    assert not shared.is_shared(other) and type(other) is np.ndarray
    assert sent == [[_shm.GROW, 1024]]


def test_a_lent_array_is_a_writable_view_until_its_release(region):
    _, lent = region
    lent[128 : 128 + 32] = np.arange(4, dtype="<f8").tobytes()
    body = _codec.encode([1, LENT_SEGMENT, 128, 32, ["<f8", [2, 2]]])
    call = _codec.encode([1, 9, None, ExtType(_shm.EXT_CODE, bytes(body))])
    array = _codec.decode(bytes(call))[3]
    assert array.tolist() == [[0, 1], [2, 3]]
    assert array.flags.writeable and not array.flags.owndata
    array += 10  # the host sees it: the same memory
    assert np.frombuffer(lent[128:160], "<f8").tolist() == [10, 11, 12, 13]
    _shm.on_release([_shm.RELEASE, [LENT_SEGMENT, 128]])
    assert not array.flags.writeable
    with pytest.raises(ValueError):
        array[0, 0] = 1


@pytest.mark.parametrize(
    "reference",
    [
        [1, LENT_SEGMENT, SIZE - 8, 16, ["<f8", [2]]],  # beyond the segment
        [1, WORKER_SEGMENT, 0, 8, ["<f8", [1]]],  # not a lent segment
        [1, LENT_SEGMENT, 0, 8, ["<f8", [2]]],  # shape and length disagree
        [1, LENT_SEGMENT, 0, 8, ["<c16", [1]]],  # a dtype outside the format
        [None, LENT_SEGMENT, 0, 8, ["<f8", [1]]],  # views are ndarrays only
        [1, LENT_SEGMENT, 0, 8, "header"],
    ],
)
def test_a_bad_view_reference_is_refused(region, reference):
    body = bytes(_codec.encode(reference))
    with pytest.raises(ValueError):
        _codec.decode(bytes(_codec.encode(ExtType(_shm.EXT_CODE, body))))


def test_an_answer_whose_copy_into_the_region_is_interrupted_gives_its_block_back(
    region, monkeypatch
):
    from pysynapse import _fallback, _split_copy

    def interrupted(target, source):
        raise KeyboardInterrupt  # as a cancelled call interrupts the copy of a host call's input

    size = 64 * 1024  # the least a value placed in the region has
    monkeypatch.setattr(_shm, "threshold", size)
    first = _shm.place([b"a" * size], size, [])
    with monkeypatch.context() as patch:
        patch.setattr(_split_copy, "copy_into", interrupted)
        with pytest.raises(KeyboardInterrupt):
            _fallback.pure_encode_body([1, 7, [b"b" * size]])
    assert _shm.place([b"c" * size], size, []) == (WORKER_SEGMENT, first[1] + size)


def _await(condition, what):
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def _array_in_a_host_block(directory):
    """Maps a host segment (role 0) holding the float64 array [0, 1, 2, 3] as the host places one
    (its data at offset 128); returns the offset of its reference and a frame body naming it."""
    host = _map(directory, HOST_SEGMENT, 0)
    header = bytes(_codec.encode(["<f8", [4]]))
    start = 128 - len(header)
    host[start:128] = header
    host[128:160] = np.arange(4, dtype="<f8").tobytes()
    reference = bytes(_codec.encode([1, HOST_SEGMENT, start, len(header) + 32]))
    return start, bytes(_codec.encode(ExtType(_shm.EXT_CODE, reference)))


def test_a_host_block_viewed_twice_is_kept_once_and_dropped_after_its_last_view(tmp_path, sent):
    start, frame = _array_in_a_host_block(str(tmp_path))
    del sent[:]

    first = _codec.decode(frame)  # as when a frame is decoded again by the pure codec
    second = _codec.decode(frame)
    assert not first.flags.owndata and first.flags.writeable
    assert sent == [[_shm.KEPT, [HOST_SEGMENT, start]]]
    del first
    _shm.flush_dropped()  # whether or not the thread that sends DROPPED has woken yet
    assert sent == [[_shm.KEPT, [HOST_SEGMENT, start]]]  # the second view still holds the block
    del second
    _await(lambda: len(sent) == 2, "no DROPPED")
    assert sent[1] == [_shm.DROPPED, [HOST_SEGMENT, start]]


def test_views_collected_on_many_threads_are_each_dropped_once(sent):
    blocks = [(HOST_SEGMENT, 64 * i) for i in range(4000)]
    with _shm._lock:
        for block in blocks:
            _shm._viewed[block] = 1
        assert _shm._sender_running or _shm._start_sender()
    start = threading.Barrier(6)
    failures = []

    def run(work):
        try:
            start.wait()
            work()
        except BaseException as exc:
            failures.append(exc)

    def collect(part):
        for block in part:
            _shm._collected.put((_shm._generation, block))  # as a view's finalizer does

    def flush():
        for _ in range(200):
            _shm.flush_dropped()

    threads = [threading.Thread(target=run, args=(lambda p=blocks[i::4]: collect(p),)) for i in range(4)]
    threads += [threading.Thread(target=run, args=(flush,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    _await(lambda: not _shm._viewed, "blocks left undropped")
    reported = []
    for message in sent:
        assert message[0] == _shm.DROPPED
        assert len(message[1]) <= 2 * _shm._DROPPED_PER_FRAME
        reported.extend(zip(message[1][::2], message[1][1::2]))
    assert sorted(reported) == sorted(blocks)


def test_views_of_an_earlier_region_do_not_count_in_the_next(tmp_path, sent):
    start, frame = _array_in_a_host_block(str(tmp_path))
    old = _codec.decode(frame)
    _shm.detach()  # serve() has returned; a second one maps segments numbered from 0 again
    _shm.attach(lambda body: sent.append(_codec.decode(body)))
    _array_in_a_host_block(str(tmp_path))
    del sent[:]
    new = _codec.decode(frame)
    assert sent == [[_shm.KEPT, [HOST_SEGMENT, start]]]
    del old
    _shm.flush_dropped()
    assert sent == [[_shm.KEPT, [HOST_SEGMENT, start]]]  # the new view still holds the block
    del new
    _await(lambda: len(sent) == 2, "no DROPPED")


def test_without_a_thread_to_send_dropped_a_host_block_is_copied(tmp_path, sent, monkeypatch):
    start, frame = _array_in_a_host_block(str(tmp_path))
    del sent[:]
    monkeypatch.setattr(_shm, "_sender_running", False)

    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)

    array = _codec.decode(frame)
    assert array.flags.owndata and array.tolist() == [0, 1, 2, 3]  # a copy
    assert sent == [] and (HOST_SEGMENT, start) not in _shm._viewed
