"""The worker's side of its shared-memory region (docs/protocol.md, "Shared memory").

::

    MAP [11, segment, path, size, role] ──► on_map(): open the host's file (a regular file of this
        user, private to it), mmap it, unlink it, answer MAPPED [9, segment]
    decode: ext 3 [code, segment, offset, length] ──► view(): a bounds-checked memoryview of a host
        segment, which the codec copies out at once; an ndarray (code 1) instead becomes an ndarray
        over the block (host_array()), and KEPT [14, [segment, offset]] tells the host before any
        answer to the call can ── the block's last view collected ──► DROPPED [15, [segment,
        offset, ...]], sent by the thread "pysynapse-dropped", to which the view's finalizer hands it
    encode_body: a large bin, ndarray or ext body ──► place(): a block of a worker segment (role 1),
        PLACING [13, bytes] first if it is large, copied in ──► the codec writes ext 3 instead of
        the value
    RELEASE [12, [segment, offset, ...]] ──► on_release(): the host has copied them: blocks free
    no room ──► GROW [10, bytes], once until the next MAP; the value goes in the frame meanwhile

    explicit zero-copy path (pysynapse.shared):
    decode: ext 3 [1, segment, offset, length, [dtype, shape]] of a role 2 segment ──► lent_value():
        a writable ndarray over the host's block ── RELEASE of that block ──► made read-only
    shared.empty() ──► allocate(): a block of role 1 owned by the array (freed when it is collected)
        ── returned in an answer ──► kept_reference(): ext 3 [1, segment, offset, length, header],
        the block now the host's until its RELEASE; the array read-only

The host writes segments of role 0 and never reuses a block before the call it belongs to has ended,
so what the codec reads from them during a call stays put. Blocks of role 1 are this worker's:
allocated by any thread that encodes (the serve loop, the asyncio loop), freed by the thread that
reads the host's frames, all under one lock.
"""

import _thread
import os

__all__ = [
    "EXT_CODE",
    "host_array",
    "kept_reference",
    "lent_value",
    "new_array",
    "on_map",
    "on_release",
    "place",
    "release",
    "threshold",
    "unkeep",
    "view",
]

EXT_CODE = 3
MAPPED = 9
GROW = 10
MAP = 11
RELEASE = 12
PLACING = 13
KEPT = 14
DROPPED = 15

# A value at least this large is announced before it is copied: the host makes the array it will
# copy the value into (the JVM zeroes it) while this worker copies. Below it, the extra frame costs
# more than the overlap saves.
_ANNOUNCED_BYTES = 4 * 1024 * 1024

_ROLE_HOST = 0
_ROLE_WORKER = 1
_ROLE_LENT = 2
_ALIGNMENT = 64
_OFF = 1 << 62


def _threshold_from_environment():
    try:
        value = int(os.environ.get("SYNAPSE_SHM_THRESHOLD", "0"))
    except ValueError:
        value = 0
    return value if value > 0 else _OFF


# Encoded values of at least this many bytes are placed in the region, when it has room.
threshold = _threshold_from_environment()

_lock = _thread.allocate_lock()  # not threading: a worker that never needs it does not import it
_segments = {}  # index -> _Segment
_writable = []  # the segments of role 1, in the order they came
_send = None  # writes one frame body to the host
_grow_asked = False
_full_said = False
_lent = {}  # (segment, offset) of a host block -> weak references to the views handed out
_owned = {}  # id(root array) -> _Owned: blocks that arrays of pysynapse.shared hold
_orphans = []  # (segment, offset) of blocks whose arrays were collected; freed under _lock later
_viewed = {}  # (segment, offset) of a host block -> how many views of it are alive
# (generation, (segment, offset)) of each view of a host block that was collected, put by its
# finalizer for the thread "pysynapse-dropped". A finalizer may run on any thread at any moment, one
# holding the writer's lock or _lock included: SimpleQueue.put is safe there.
_collected = None
_generation = 0  # one per region: detach() makes views of the last one count for nothing
_sender_running = False
# DROPPED names at most this many blocks, so that it fits in the smallest frame allowed (1 KiB).
_DROPPED_PER_FRAME = 50


class _Blocks:
    """First fit over the free ranges of one segment, sorted by offset and merged when freed."""

    __slots__ = ("starts", "sizes", "used")

    def __init__(self, size):
        self.starts = [0]
        self.sizes = [size]
        self.used = {}

    def allocate(self, length):
        needed = (max(length, 1) + _ALIGNMENT - 1) & -_ALIGNMENT
        starts, sizes = self.starts, self.sizes
        for i, size in enumerate(sizes):
            if size >= needed:
                offset = starts[i]
                if size == needed:
                    del starts[i], sizes[i]
                else:
                    starts[i] = offset + needed
                    sizes[i] = size - needed
                self.used[offset] = needed
                return offset
        return -1

    def release(self, offset):
        import bisect  # not at start-up: most workers never free a block

        length = self.used.pop(offset, None)
        if length is None:
            return False
        starts, sizes = self.starts, self.sizes
        i = bisect.bisect_left(starts, offset)
        end = offset + length
        if i < len(starts) and starts[i] == end:  # joins the range after it
            length += sizes[i]
            del starts[i], sizes[i]
        if i > 0 and starts[i - 1] + sizes[i - 1] == offset:  # and the one before
            sizes[i - 1] += length
        else:
            starts.insert(i, offset)
            sizes.insert(i, length)
        return True


class _Segment:
    __slots__ = ("index", "size", "role", "map", "view", "blocks")

    def __init__(self, index, size, role, mapped):
        self.index = index
        self.size = size
        self.role = role
        self.map = mapped
        self.view = memoryview(mapped)
        self.blocks = _Blocks(size) if role == _ROLE_WORKER else None


class _Owned:
    __slots__ = ("root", "index", "offset", "size", "finalizer")

    def __init__(self, root, index, offset, size, finalizer):
        self.root = root
        self.index = index
        self.offset = offset
        self.size = size
        self.finalizer = finalizer


def attach(send):
    """Lets this module send frames to the host: ``send(body)`` writes one now."""
    global _send
    _send = send


def detach():
    """Forgets the region (serve() has returned); views handed out keep their mappings alive."""
    global _send, _grow_asked, _full_said, _generation
    with _lock:
        _segments.clear()
        _writable.clear()
        _lent.clear()
        _owned.clear()
        del _orphans[:]
        _viewed.clear()
        _generation += 1
        _send = None
        _grow_asked = _full_said = False


def _tell_host(message):
    send = _send
    if send is not None:
        from ._fallback import pure_encode  # the codec imports this module

        send(bytes(pure_encode(message)))


def on_map(message):
    """Handles MAP ``[11, segment, path, size, role]``; logs and ignores an invalid one."""
    global _grow_asked
    valid = (
        len(message) == 5
        and type(message[1]) is int
        and message[1] >= 0
        and type(message[2]) is str
        and type(message[3]) is int
        and message[3] > 0
        and message[4] in (_ROLE_HOST, _ROLE_WORKER, _ROLE_LENT)
    )
    if not valid:
        _log().error("ignored an invalid MAP message: %r", message[:5])
        return
    index, path, size, role = message[1:]
    try:
        mapped = _map_file(path, size, role)
    except (OSError, ValueError) as exc:
        _log().error("cannot map the shared-memory segment %d (%s): %s", index, path, exc)
        return
    segment = _Segment(index, size, role, mapped)
    with _lock:
        _segments[index] = segment
        if role == _ROLE_WORKER:
            _writable.append(segment)
            _grow_asked = False
    _tell_host([MAPPED, index])


def _map_file(path, size, role):
    """Maps the host's segment file and removes it; refuses a file that is not this user's own."""
    import mmap  # imported when the first segment comes, not at start-up
    import stat

    # Read-write whatever the role: a handler may write into the ndarray it views in a host block.
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise ValueError("not a file private to this user")
        if info.st_size != size:
            raise ValueError(f"{info.st_size} bytes, not {size}")
        mapped = mmap.mmap(fd, size, access=mmap.ACCESS_WRITE)
    finally:
        os.close(fd)
    try:
        os.unlink(path)  # both sides hold it now: nothing is left behind, however they end
    except OSError:
        pass
    return mapped


def on_release(message):
    """Handles RELEASE ``[12, [segment, offset, ...]]``: frees those blocks of this worker."""
    pairs = message[1] if len(message) == 2 and type(message[1]) is list else None
    if pairs is None or len(pairs) % 2:
        _log().error("ignored an invalid RELEASE message")
        return
    release([(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def release(placed):
    """Frees blocks given as ``(segment, offset)`` pairs; unknown ones are ignored. A block of a
    segment of role 2 is the host's: its views become read-only (the calls it was lent to ended)."""
    with _lock:
        for index, offset in placed:
            segment = _segments.get(index)
            if segment is not None and segment.blocks is not None:
                segment.blocks.release(offset)
            elif segment is not None and segment.role == _ROLE_LENT:
                _seal(_lent.pop((index, offset), ()))


def _seal(views):
    for ref in views:
        array = ref()
        if array is not None:
            array.flags.writeable = False


def place(parts, size, placed):
    """Copies the bytes-like ``parts`` (``size`` bytes in all) into a block of this worker's
    region; returns ``(segment, offset)``, or None if there is no room (the value then goes in the
    frame, and the host is asked for more room). The block goes into the list ``placed`` as soon as
    it is allocated: whoever holds that list frees it if the frame is not sent, however this copy
    ends."""
    block = _allocate(size, placed)
    if block is None:
        return None
    segment, offset = block
    if size >= _ANNOUNCED_BYTES:
        _tell_host([PLACING, size])
    _copy_parts(parts, segment.view, offset)
    return segment.index, offset


def _copy_parts(parts, target, position):
    from . import _split_copy  # not at start-up: only large values come here

    for part in parts:
        data = memoryview(part)
        if data.format != "B" or data.ndim != 1:
            data = data.cast("B")
        end = position + data.nbytes
        _split_copy.copy_into(target[position:end], data)
        position = end


def _allocate(size, placed=None):
    """``(segment, offset)`` of a new block of ``size`` bytes of role 1, also appended to the list
    ``placed`` if one is given, or None (the host is asked for room, once until it gives some)."""
    global _grow_asked, _full_said
    with _lock:
        while _orphans:
            index, offset = _orphans.pop()
            segment = _segments.get(index)
            if segment is not None and segment.blocks is not None:
                segment.blocks.release(offset)
        for segment in _writable:
            offset = segment.blocks.allocate(size)
            if offset >= 0:
                if placed is not None:
                    placed.append((segment.index, offset))
                return segment, offset
        if not _writable:
            return None
        ask, _grow_asked = not _grow_asked, True
        say, _full_said = not _full_said, True
    if say:
        _log().info("the shared memory is full: large values go through the pipe")
    if ask:
        _tell_host([GROW, size])
    return None


def view(index, offset, length, role=_ROLE_HOST):
    """The bytes a reference of the host names, as a memoryview of its segment; ValueError for a
    reference outside the host's segments of that role."""
    segment = _segments.get(index) if type(index) is int else None
    if segment is None or segment.role != role:
        raise ValueError(f"shared-memory reference to segment {index!r}, which the host does not write")
    if type(offset) is not int or type(length) is not int or offset < 0 or length < 0:
        raise ValueError("malformed shared-memory reference")
    if offset + length > segment.size:
        raise ValueError(
            f"shared-memory reference to {length} bytes at {offset} of segment {index}, "
            f"which has {segment.size}"
        )
    return segment.view[offset : offset + length]


def host_array(type_string, shape, data, block):
    """The ndarray whose data ``data`` is, in the host's block ``(segment, offset)``: a writable
    view of it, which holds the block until the view is collected, where numpy can view it (data
    aligned for the dtype, a host to tell); else a copy.

    The host hears KEPT when a block gets its first view, and DROPPED when its last view has been
    collected. A frame may be decoded twice (the msgpack codec hands some to the pure one), so a
    block can have two views for a moment."""
    from . import _ndarray

    np = _ndarray.numpy_module()
    if np is None or _send is None or not len(data):
        return _ndarray.build(type_string, shape, data)
    root = np.frombuffer(data, dtype=type_string)
    if not root.flags.aligned:
        return _ndarray.build(type_string, shape, data)
    import weakref

    with _lock:  # held while KEPT or DROPPED is written, so that the host gets them in order
        viewable = _sender_running or _start_sender()
        if viewable:
            count = _viewed.get(block, 0)
            if not count:
                _tell_host([KEPT, list(block)])  # before the call's answer, which frees the block
            _viewed[block] = count + 1
            token = (_generation, block)
    if not viewable:
        return _ndarray.build(type_string, shape, data)
    try:
        weakref.finalize(root, _collected.put, token).atexit = False
    except BaseException:
        _collected.put(token)  # counted, but no finalizer will say so: undone
        raise
    return root.reshape(shape)


def _start_sender():
    """Starts the thread that sends DROPPED; False if no thread can be started."""
    global _collected, _sender_running
    assert _lock.locked()
    import threading  # not at start-up: the first view of a host block starts the thread

    if _collected is None:
        import _queue

        _collected = _queue.SimpleQueue()
    try:
        threading.Thread(target=_send_dropped, name="pysynapse-dropped", daemon=True).start()
    except RuntimeError:  # a limit on threads, or the interpreter is ending: views are copies then
        return False
    _sender_running = True
    return True


def _send_dropped():
    """Sends DROPPED as views of host blocks are collected, until the host is gone (or a defect
    stops it: a later view then starts the thread again)."""
    global _sender_running
    try:
        while True:
            flush_dropped(_collected.get())
    except OSError:
        pass
    except Exception:
        _log().exception("stopped sending the host the blocks that no view holds any more")
    finally:
        with _lock:
            _sender_running = False


def flush_dropped(first=None):
    """Tells the host which of its blocks no view holds any more (DROPPED): those whose last view
    was collected, ``first`` (a token of a collected view) and every one queued since."""
    if _collected is None:
        return
    import _queue

    unviewed = []
    with _lock:
        token = first
        while True:
            if token is None:
                try:
                    token = _collected.get_nowait()
                except _queue.Empty:
                    break
            generation, block = token
            token = None
            if generation != _generation:
                continue  # a view of a region that has ended
            left = _viewed.get(block, 0) - 1
            if left > 0:
                _viewed[block] = left
            elif _viewed.pop(block, None) is not None:
                unviewed.extend(block)
        step = 2 * _DROPPED_PER_FRAME
        for start in range(0, len(unviewed), step):
            _tell_host([DROPPED, unviewed[start : start + step]])


# The explicit zero-copy path ---------------------------------------------------------------------


def lent_value(reference):
    """The ndarray a view reference of the host names ``[1, segment, offset, length, [dtype,
    shape]]``: over the host's block, not a copy, writable until the host's RELEASE of the block
    (the calls it was lent to have ended). ValueError for a malformed one or one outside the lent
    segments."""
    from . import _ndarray

    code, index, offset, length, header = reference
    if code != _ndarray.EXT_CODE or type(header) is not list or len(header) != 2:
        raise ValueError("malformed shared-memory view reference")
    data = view(index, offset, length, _ROLE_LENT)
    type_string, shape = header
    expected = _ndarray.ITEM_SIZES.get(type_string) if type(type_string) is str else None
    valid_shape = type(shape) is list and all(type(n) is int and n >= 0 for n in shape)
    if expected is None or not valid_shape:
        raise ValueError(f"shared-memory view of an invalid ndarray {header!r}")
    for n in shape:
        expected *= n
    if expected != length:
        raise ValueError(
            f"shared-memory view of {length} bytes for dtype {type_string} and shape {shape}"
        )
    np = _ndarray.numpy_module()
    if np is None:
        return _ndarray.build(type_string, shape, data)
    import weakref

    array = np.frombuffer(data, dtype=type_string).reshape(shape)
    _lent.setdefault((index, offset), []).append(weakref.ref(array))
    return array


def new_array(np, dtype, shape, count):
    """A writable ndarray of ``count`` elements of the little-endian ``dtype`` and ``shape`` in a
    block of this worker's region that it holds until it is collected, or None if there is no
    room (or no region)."""
    size = count * dtype.itemsize
    block = _allocate(size)
    if block is None:
        return None
    segment, offset = block
    import weakref

    root = np.frombuffer(segment.view[offset : offset + size], dtype=dtype, count=count)
    key = id(root)
    finalizer = weakref.finalize(root, _orphan, key, segment.index, offset)
    _owned[key] = _Owned(weakref.ref(root), segment.index, offset, size, finalizer)
    return root.reshape(shape)


def _orphan(key, index, offset):
    """An array of pysynapse.shared was collected: its block is freed at the next allocation (not
    here: a collection may run while _lock is held)."""
    _owned.pop(key, None)
    _orphans.append((index, offset))


def _owner(array):
    """The _Owned entry of the block ``array`` starts at, if it is C-contiguous; else None."""
    if not array.flags.c_contiguous:
        return None
    base = array.base
    root = base if base is not None and type(base) is type(array) else array
    entry = _owned.get(id(root))
    if entry is None or entry.root() is not root:
        return None
    if array.__array_interface__["data"][0] != root.__array_interface__["data"][0]:
        return None
    return entry


def is_owned(array):
    """Whether ``array`` starts a block of pysynapse.shared (it may then go as a view)."""
    return bool(_owned) and _owner(array) is not None


def kept_reference(array):
    """``[1, segment, offset, length, [dtype, shape]]`` handing ``array``'s block to the host, or
    None if it is not a C-contiguous array that starts a block of pysynapse.shared. From then on the
    block is the host's until its RELEASE, and the array is read-only."""
    from . import _ndarray

    if not _owned or array.dtype.str not in _ndarray.ITEM_SIZES:
        return None
    entry = _owner(array)
    if entry is None or _owned.pop(id(entry.root()), None) is not entry:
        return None  # not one, or another thread's answer has just handed it over
    entry.finalizer.detach()
    entry.root().flags.writeable = False
    array.flags.writeable = False
    shape = [int(n) for n in array.shape]
    return [_ndarray.EXT_CODE, entry.index, entry.offset, array.nbytes, [array.dtype.str, shape]]


def unkeep(references):
    """The frames that carried these kept references were not sent: their blocks are the
    worker's again (freed, since the arrays stay read-only)."""
    for reference in references:
        _orphans.append((reference[1], reference[2]))


def _log():
    from ._answers import log

    return log()
