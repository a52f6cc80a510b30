"""Shared memory from the worker's side: the block allocator, and a real worker given segments by
this test acting as the host (MAP, references both ways, RELEASE, GROW, PLACING, refusals).

Runs with the interpreter's codec (msgpack where it is installed, the pure codec elsewhere); the
test suite runs under both.
"""

import mmap
import os
import struct
import tempfile

import pytest

from pysynapse import ExtType, _codec, _shm

THRESHOLD = 64 * 1024
HOST_SEGMENT = 0
WORKER_SEGMENT = 1
SIZE = 4 * 1024 * 1024


def test_blocks_are_aligned_reused_and_merged():
    blocks = _shm._Blocks(1024)
    a = blocks.allocate(1)
    b = blocks.allocate(100)
    c = blocks.allocate(64)
    assert (a, b, c) == (0, 64, 192)
    assert blocks.allocate(1024) == -1
    assert blocks.release(b)
    assert not blocks.release(b)  # freed once only
    assert blocks.allocate(128) == 64  # the hole is reused
    assert blocks.release(64) and blocks.release(a) and blocks.release(c)
    assert blocks.allocate(1024) == 0  # everything merged back into one range


def _segment_file(directory, size, mode=0o600):
    fd, path = tempfile.mkstemp(dir=directory, prefix="synapse-")
    os.ftruncate(fd, size)
    os.fchmod(fd, mode)
    os.close(fd)
    return path


class Host:
    """This test as the host: it owns a segment the worker reads and maps the one it writes."""

    def __init__(self, worker, directory):
        self.worker = worker
        host_path = _segment_file(directory, SIZE)
        with open(host_path, "r+b") as file:
            self.host_map = mmap.mmap(file.fileno(), SIZE)
        worker_path = _segment_file(directory, SIZE)
        with open(worker_path, "r+b") as file:
            self.worker_map = mmap.mmap(file.fileno(), SIZE)
        worker.send([_shm.MAP, HOST_SEGMENT, host_path, SIZE, 0])
        assert worker.recv() == [_shm.MAPPED, HOST_SEGMENT]
        worker.send([_shm.MAP, WORKER_SEGMENT, worker_path, SIZE, 1])
        assert worker.recv() == [_shm.MAPPED, WORKER_SEGMENT]
        assert os.listdir(directory) == []  # the worker unlinked both files at once
        # Decoding here reads the worker's segment as the worker reads the host's.
        _shm._segments[WORKER_SEGMENT] = _shm._Segment(WORKER_SEGMENT, SIZE, 0, self.worker_map)

    def reference(self, data, offset=0, code=None):
        self.host_map[offset : offset + len(data)] = data
        return ExtType(_shm.EXT_CODE, bytes(_codec.encode([code, HOST_SEGMENT, offset, len(data)])))

    def answer_body(self):
        return self.worker.recv_body()


def _hosting(spawn, tmp_path, script):
    """This test as the host of a worker running ``script``, for the length of a fixture."""
    worker = spawn(script, env=_env())
    worker.ready()
    try:
        yield Host(worker, str(tmp_path))
    finally:
        _shm.detach()


@pytest.fixture
def host(spawn, tmp_path):
    yield from _hosting(spawn, tmp_path, "echo.py")


def _env():
    from conftest import worker_env

    return worker_env(SYNAPSE_SHM_THRESHOLD=THRESHOLD)




def test_a_large_input_is_read_from_the_region_and_the_answer_written_to_it(host):
    data = os.urandom(THRESHOLD + 1)
    host.worker.call(7, None, host.reference(data))
    body = host.answer_body()
    assert len(body) < 64  # a reference, not the bytes
    assert _codec.decode(body) == [1, 7, data]


@pytest.mark.parametrize("shape", ["list", "dict", "tuple", "ext"])
def test_large_values_nested_in_containers_take_the_region_both_ways(host, shape):
    data = os.urandom(THRESHOLD + 1)
    if shape == "ext":
        value, expected = [ExtType(42, data)], [ExtType(42, data)]
    else:
        value = {"a": [1, "x"], "b": {"c": data}} if shape == "dict" else (0, [data], b"small")
        expected = value if shape == "dict" else [0, [data], b"small"]
    host.worker.call(7, None, [host.reference(data)])  # nested in the input too
    body = host.answer_body()
    assert len(body) < 64
    assert _codec.decode(body) == [1, 7, [data]]
    host.worker.call(8, None, value)
    body = host.answer_body()
    assert len(body) < 128, len(body)  # references, not the bytes
    assert _codec.decode(body) == [1, 8, expected]


def test_a_frame_without_large_values_is_not_placed(host):
    values = [os.urandom(1024) for _ in range(2 * THRESHOLD // 1024)]  # large only in sum
    host.worker.call(9, None, {"values": values})
    body = host.answer_body()
    assert len(body) > 2 * THRESHOLD
    assert _codec.decode(body) == [1, 9, {"values": values}]


def test_a_large_value_is_announced_before_it_is_copied_and_a_smaller_one_is_not(host):
    large = os.urandom(_shm._ANNOUNCED_BYTES)
    host.worker.call(1, None, host.reference(large))
    assert host.worker.recv() == [_shm.PLACING, len(large)]
    assert _codec.decode(host.answer_body()) == [1, 1, large]
    host.worker.send([_shm.RELEASE, [WORKER_SEGMENT, 0]])
    smaller = large[:-1]
    host.worker.call(2, None, host.reference(smaller))
    assert _codec.decode(host.answer_body()) == [1, 2, smaller]  # the first frame: no PLACING


def test_released_blocks_are_used_again(host):
    data = os.urandom(THRESHOLD * 2)
    offsets = set()
    for call_id in range(1, 6):
        host.worker.call(call_id, None, host.reference(data))
        body = host.answer_body()
        offsets.add(body[-5:])  # the reference's offset and length, at its end
        # [12, [segment, offset]]: the offset is the first block's, 0, once released
        host.worker.send([_shm.RELEASE, [WORKER_SEGMENT, 0]])
    assert len(offsets) == 1


def test_a_full_region_asks_to_grow_once_and_answers_through_the_frame(host):
    data = os.urandom(3 * 1024 * 1024)
    host.worker.call(1, None, host.reference(data))
    assert _codec.decode(host.answer_body()) == [1, 1, data]  # in the region
    host.worker.call(2, None, host.reference(data))  # the first block is not released
    assert host.worker.recv() == [_shm.GROW, len(data)]
    assert host.worker.recv() == [1, 2, data]  # in the frame
    host.worker.call(3, None, host.reference(data))
    assert host.worker.recv() == [1, 3, data]  # no second GROW before a MAP




def _array_reference(host, values, aligned=True):
    """Writes the float64 ``values`` into the host segment as the host places an ndarray (its data
    on a 64-byte boundary, unless not ``aligned``) and returns the reference and the data's offset."""
    header = bytes(_codec.encode(["<f8", [len(values)]]))
    data = struct.pack(f"<{len(values)}d", *values)
    start = 128 - len(header) + (0 if aligned else 4)
    return host.reference(header + data, start, code=1), start, start + len(header)


@pytest.fixture
def arrays(spawn, tmp_path):
    pytest.importorskip("numpy")
    yield from _hosting(spawn, tmp_path, "arrays.py")


def test_an_ndarray_in_a_host_block_is_viewed_and_kept_until_the_handler_lets_go(arrays):
    values = [float(i) for i in range(THRESHOLD // 8)]
    reference, start, _ = _array_reference(arrays, values)
    arrays.worker.call(1, "keep", reference)
    # KEPT comes before the answer, which would otherwise free the block.
    assert arrays.worker.recv() == [_shm.KEPT, [HOST_SEGMENT, start]]
    assert arrays.worker.recv() == [1, 1, [False, True]]  # a writable view, not a copy
    arrays.worker.expect_no_frame(0.2)
    arrays.worker.call(2, "let_go", None)
    # The array is collected inside the handler: DROPPED may come before the answer or after it.
    messages = [arrays.worker.recv(), arrays.worker.recv()]
    assert sorted(messages, key=repr) == [[1, 2, None], [_shm.DROPPED, [HOST_SEGMENT, start]]]


def test_a_handler_writes_into_the_host_block_it_views(arrays):
    values = [float(i) for i in range(THRESHOLD // 8)]
    reference, start, data = _array_reference(arrays, values)
    arrays.worker.call(1, "double_in_place", reference)
    assert arrays.worker.recv() == [_shm.KEPT, [HOST_SEGMENT, start]]
    messages = [arrays.worker.recv(), arrays.worker.recv()]  # DROPPED with the call, in any order
    assert sorted(messages, key=repr) == [[1, 1, None], [_shm.DROPPED, [HOST_SEGMENT, start]]]
    doubled = struct.unpack_from(f"<{len(values)}d", arrays.host_map, data)
    assert list(doubled) == [v * 2 for v in values]


def test_an_ndarray_whose_data_is_not_aligned_is_copied(arrays):
    values = [float(i) for i in range(THRESHOLD // 8)]
    reference, _, _ = _array_reference(arrays, values, aligned=False)
    arrays.worker.call(1, "keep", reference)
    assert arrays.worker.recv() == [1, 1, [True, True]]  # no KEPT: a copy


@pytest.mark.parametrize(
    "reference",
    [
        [None, HOST_SEGMENT, SIZE - 4, 8],
        [None, HOST_SEGMENT, 0, SIZE + 1],
        [None, WORKER_SEGMENT, 0, 8],  # the worker's own segment is not the host's to name
        [None, 9, 0, 8],
        [None, HOST_SEGMENT, -1, 8],
        [3, HOST_SEGMENT, 0, 8],
        ["x", HOST_SEGMENT, 0, 8],
        [None, HOST_SEGMENT, 0],
        "text",
    ],
)
def test_a_reference_outside_the_host_segments_is_a_decode_error(host, reference):
    body = bytes(_codec.encode(reference))
    host.worker.call(5, None, ExtType(_shm.EXT_CODE, body))
    message = host.worker.recv()
    assert message[:2] == [2, 5], message
    assert message[2]["kind"] == "decode"


def test_a_map_of_a_file_others_can_read_is_refused(spawn, tmp_path):
    worker = spawn("echo.py", env=_env())
    worker.ready()
    path = _segment_file(str(tmp_path), SIZE, mode=0o644)
    worker.send([_shm.MAP, 0, path, SIZE, 0])
    worker.wait_for_stderr("not a file private to this user")
    link = os.path.join(str(tmp_path), "link")
    os.symlink(_segment_file(str(tmp_path), SIZE), link)
    worker.send([_shm.MAP, 1, link, SIZE, 0])
    worker.wait_for_stderr("cannot map the shared-memory segment 1")
    worker.call(1, None, "still serving")
    assert worker.recv() == [1, 1, "still serving"]
