"""Framing over real pipes: whole, chunked and one-byte-at-a-time streams, limits, end of input."""

import os
import select
import struct
import threading
import time

import pytest

from pysynapse import ExtType, _codec, _protocol


def framed(body):
    return struct.pack("<I", len(body)) + body


class Pipe:
    """A pipe whose write end is fed from a thread, in pieces of a given size."""

    def __init__(self, data, piece=None, pause=0.0):
        self.read_fd, self._write_fd = os.pipe()
        self._thread = threading.Thread(target=self._feed, args=(data, piece, pause), daemon=True)
        self._thread.start()

    def _feed(self, data, piece, pause):
        step = piece or len(data) or 1
        for start in range(0, len(data), step):
            os.write(self._write_fd, data[start : start + step])
            if pause:
                time.sleep(pause)
        os.close(self._write_fd)

    def close(self):
        self._thread.join(10)
        os.close(self.read_fd)


def read_all(reader):
    """Every frame until the end of input, the way the serve loop takes them."""
    frames = []
    while True:
        body = reader.next_frame()
        if body is not None:
            frames.append(bytes(body))
        elif not reader.fill():
            return frames


BODIES = [b"", b"a", b"b" * 1000, os.urandom(200_000), b"c" * 65536, b"d" * 65537, b"e"]
SHAPES = {"whole": None, "chunks of 4099": 4099, "chunks of 7": 7}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_frames_come_out_whole_whatever_the_stream_shape(shape):
    pipe = Pipe(b"".join(framed(b) for b in BODIES), SHAPES[shape])
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 1 << 20)
        assert read_all(reader) == BODIES
        assert reader.eof and reader.buffered == 0
    finally:
        pipe.close()


def test_one_byte_at_a_time():
    bodies = [b"xy", b"", b"z" * 300]
    pipe = Pipe(b"".join(framed(b) for b in bodies), piece=1)
    try:
        assert read_all(_protocol.FrameReader(pipe.read_fd, 1024)) == bodies
    finally:
        pipe.close()


def test_next_frame_without_wait_does_not_block_on_a_large_partial_body():
    body = b"q" * 200_000
    pipe = Pipe(framed(body)[:70_000])
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 1 << 20)
        assert reader.fill()
        assert reader.next_frame(wait=False) is None
        with pytest.raises(EOFError, match="the input ended inside a frame"):
            reader.next_frame(wait=True)
    finally:
        pipe.close()


def test_oversized_frame_is_skipped_without_allocating_it():
    data = framed(b"small") + framed(b"L" * 5000) + framed(b"after")
    pipe = Pipe(data, piece=1000)
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 4096)
        assert reader.fill()
        assert reader.next_frame() == b"small"
        with pytest.raises(_protocol.FrameTooLargeError) as caught:
            reader.next_frame()
        assert (caught.value.size, caught.value.limit) == (5000, 4096)
        assert (
            str(caught.value) == "frame of 5000 bytes exceeds the maximum frame size of 4096 bytes"
        )
        assert read_all(reader) == [b"after"]
    finally:
        pipe.close()


def test_a_claimed_length_of_4_gib_is_refused_from_the_header_alone():
    pipe = Pipe(b"\xff\xff\xff\xff")
    try:
        reader = _protocol.FrameReader(pipe.read_fd, _protocol.DEFAULT_MAX_FRAME)
        assert reader.fill()
        with pytest.raises(EOFError):  # skipping needs the body, which never comes
            reader.next_frame()
    finally:
        pipe.close()


def test_end_of_input_inside_a_header_leaves_the_bytes_buffered():
    pipe = Pipe(b"\x05\x00")
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 100)
        assert read_all(reader) == []
        assert reader.buffered == 2
    finally:
        pipe.close()


def test_input_waiting_reports_pending_bytes():
    read_fd, write_fd = os.pipe()
    try:
        reader = _protocol.FrameReader(read_fd, 100)
        assert not reader.input_waiting()
        os.write(write_fd, b"\x01")
        assert reader.input_waiting()
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_writer_writes_whole_frames_and_refuses_oversized_ones():
    read_fd, write_fd = os.pipe()
    try:
        writer = _protocol.FrameWriter(write_fd, 100_000)
        with pytest.raises(_protocol.FrameTooLargeError):
            writer.write(b"x" * 100_001)
        received = bytearray()
        done = threading.Event()

        def drain():
            while len(received) < 4 + 5 + 4 + 90_000:
                received.extend(os.read(read_fd, 65536))
            done.set()

        threading.Thread(target=drain, daemon=True).start()
        writer.write(b"small")
        writer.write(bytearray(b"B" * 90_000))
        assert done.wait(10)
        assert bytes(received) == framed(b"small") + framed(b"B" * 90_000)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_frames_from_many_threads_never_interleave():
    read_fd, write_fd = os.pipe()
    writer = _protocol.FrameWriter(write_fd, 1 << 20)
    bodies = [bytes([i]) * (70_000 + i) for i in range(8)]
    threads = [threading.Thread(target=writer.write, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    reader = _protocol.FrameReader(read_fd, 1 << 20)
    received = []
    try:
        while len(received) < len(bodies):
            body = reader.next_frame()
            if body is None:
                assert reader.fill()
            else:
                received.append(bytes(body))
        assert sorted(received) == sorted(bodies)
    finally:
        for thread in threads:
            thread.join(10)
        os.close(read_fd)
        os.close(write_fd)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 256 * 1024 * 1024), ("", 256 * 1024 * 1024), ("1", 1), (" 4096 ", 4096)],
)
def test_max_frame_size_from_the_environment(value, expected):
    environ = {} if value is None else {"SYNAPSE_MAX_FRAME": value}
    assert _protocol.max_frame_size(environ) == expected


@pytest.mark.parametrize("value", ["0", "-1", "abc", "4294967296", "1.5"])
def test_bad_max_frame_size_is_refused(value):
    with pytest.raises(
        ValueError, match="SYNAPSE_MAX_FRAME must be an integer from 1 to 4294967295"
    ):
        _protocol.max_frame_size({"SYNAPSE_MAX_FRAME": value})


def test_ready_message():
    kind, info = _protocol.ready_message("legacy", ("b", "a"))
    assert kind == 0
    assert info["mode"] == "legacy" and info["functions"] == ["b", "a"]
    assert info["protocol"] == 1 and info["pid"] == os.getpid()


def test_a_reused_receive_buffer_leaves_earlier_decoded_values_intact():
    def message(fill):
        return [
            1,
            ord(fill),
            None,
            {
                "bin": fill.encode() * 200_000,
                "str": fill * 100_000,
                "ext": ExtType(5, fill.encode() * 70_000),
                "small": [fill.encode() * 10, fill],
            },
        ]

    first, second = message("a"), message("b")
    pipe = Pipe(b"".join(framed(bytes(_codec.encode(m))) for m in (first, second, first)), 50_000)
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 1 << 20)
        decoded = []
        while True:
            body = reader.next_frame()
            if body is not None:
                decoded.append(_codec.decode(body))
            elif not reader.fill():
                break
        assert decoded == [first, second, first]
    finally:
        pipe.close()


def test_the_reader_calls_before_wait_before_each_blocking_read():
    calls = []
    pipe = Pipe(framed(b"one") + framed(b"x" * 100_000), piece=30_000, pause=0.01)
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 1 << 20, before_wait=lambda: calls.append(1))
        assert read_all(reader) == [b"one", b"x" * 100_000]
        assert calls
        waits = len(calls)
        assert reader.next_frame() is None and not reader.fill()
        assert len(calls) == waits + 1
    finally:
        pipe.close()


def readable(fd):
    return bool(select.select([fd], [], [], 0)[0])


def test_added_frames_wait_for_a_flush_or_64_kib():
    read_fd, write_fd = os.pipe()
    try:
        writer = _protocol.FrameWriter(write_fd, 1 << 20)
        writer.add(b"one")
        writer.add(bytearray(b"two"))
        assert writer.waiting and not readable(read_fd)
        writer.flush()
        assert not writer.waiting
        assert os.read(read_fd, 100) == framed(b"one") + framed(b"two")
        for _ in range(15):
            writer.add(b"z" * 4092)
        assert not readable(read_fd)
        writer.add(b"z" * 4092)  # 16 frames of 4096 bytes: 64 KiB (what the pipe holds)
        assert not writer.waiting and readable(read_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_write_sends_the_frames_waiting_first_and_large_bodies_uncopied():
    read_fd, write_fd = os.pipe()
    big = os.urandom(300_000)
    chunks = _codec.encode_body([1, 9, big])
    assert isinstance(chunks, _codec.Chunks)
    assert any(isinstance(part, memoryview) and part.obj is big for part in chunks.parts)
    expected = framed(b"small") + framed(bytes(chunks)) + framed(b"after")
    received = bytearray()

    def drain():
        while len(received) < len(expected):
            received.extend(os.read(read_fd, 65536))

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        writer = _protocol.FrameWriter(write_fd, 1 << 20)
        writer.add(b"small")
        writer.add(chunks)
        writer.write(b"after")
        thread.join(10)
        assert bytes(received) == expected
        assert _codec.decode(bytes(chunks)) == [1, 9, big]
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_a_chunks_body_over_the_maximum_is_refused():
    read_fd, write_fd = os.pipe()
    try:
        writer = _protocol.FrameWriter(write_fd, 100_000)
        with pytest.raises(_protocol.FrameTooLargeError):
            writer.add(_codec.encode_body([1, 1, b"x" * 200_000]))
        assert not writer.waiting and not readable(read_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_fill_with_the_buffer_full_of_a_large_body_leaves_it_to_next_frame():
    body = os.urandom(200_000)
    pipe = Pipe(framed(body))
    try:
        reader = _protocol.FrameReader(pipe.read_fd, 1 << 20)
        while reader.buffered < _protocol._CHUNK:
            assert reader.fill()
        assert reader.next_frame(wait=False) is None
        assert reader.fill() and not reader.eof  # polled input while calls are queued
        assert reader.next_frame() == body
        assert read_all(reader) == []
    finally:
        pipe.close()
