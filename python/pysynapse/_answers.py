"""Answers: the RESULT, ERROR, ITEM and END frames of the serve loop, and the batching of their
writes.

Every thread that answers (the serve loop, the watcher of a running plain call, the asyncio
thread) goes through one ``Answers``. Frames are added to the FrameWriter, whose lock keeps them
whole and in order; ``now`` writes them at once, else they wait for the serve loop's flush (before
it blocks on its input, after a round of streams) or for 64 KiB of frames. Before the serve loop
runs user code with frames waiting it arms the flusher, a thread that writes them a millisecond
later, so that a slow handler or next() holds back no answer made before it.
"""

import time
import types

from . import _codec
from ._protocol import END, ERROR, ITEM, RESULT, FrameTooLargeError

# Internal modules whose frames are left off the front of a handler's traceback.
_OWN_MODULES = ("pysynapse.", "asyncio.", "concurrent.")
# Caps on the error strings, tried in turn when an error frame would exceed the maximum frame size.
_ERROR_TEXT_CAPS = (None, 64 * 1024, 1024, 0)
# Frames left waiting this long while user code runs are written by the flusher thread.
_FLUSH_DELAY = 0.001
# What a plain call() gets back from a handler that returns one of these: an error.
_GENERATOR_TYPES = (types.GeneratorType, types.AsyncGeneratorType)


def log():
    """The "pysynapse" logger; logging is imported on first use (see _logging)."""
    import logging

    return logging.getLogger("pysynapse")


def safe_str(value):
    try:
        return str(value)
    except Exception:
        return f"<{_codec.type_name(type(value))} object; str() failed>"


def shorten(text, cap):
    if cap is None or len(text) <= cap:
        return text
    return text[:cap] + f"... [{len(text) - cap} characters cut]"


def preview(value, limit=200):
    try:
        text = repr(value)
    except Exception:
        text = f"<{_codec.type_name(type(value))} object>"
    return shorten(text, limit)


def _traceback_text(exc):
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__", "").startswith(_OWN_MODULES):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def describe(exc, kind, with_traceback=True):
    """The error map for ``exc``."""
    if with_traceback:
        text = _traceback_text(exc)
    else:
        import traceback

        text = "".join(traceback.format_exception_only(type(exc), exc))
    message = safe_str(exc)
    where = getattr(exc, "_pysynapse_input_position", None)  # see _inputs.tag
    if where is not None:
        message = f"{where}: {message}"
    return {
        "type": _codec.type_name(type(exc)),
        "message": message,
        "traceback": text,
        "kind": kind,
    }


class Answers:
    """Encodes answers and hands their frames to the FrameWriter.

    Thread-safe: the writer's lock keeps frames whole.
    """

    def __init__(self, writer):
        self.writer = writer
        self.flusher = _Flusher(writer)

    def before_user_code(self):
        """Arms the flusher if frames are waiting (the serve loop, before a handler or next())."""
        if self.writer.waiting and not self.flusher.armed:
            self.flusher.arm()

    def result(self, call_id, value, now=False):
        """Sends RESULT, or ERROR kind "encode" if ``value`` cannot be encoded or is too large.

        Returns False (and sends nothing) when the encoder refused ``value`` and it is a generator:
        the caller answers that case itself.
        """
        try:
            body = _codec.encode_body([RESULT, call_id, value])
        except Exception as exc:
            if type(value) in _GENERATOR_TYPES:  # checked here, off the path of every answer
                return False
            self.error(call_id, describe(exc, "encode", with_traceback=False), now)
            return True
        try:
            self.writer.add(body, now)
        except FrameTooLargeError as exc:
            problem = ValueError(
                f"the result is {exc.size} bytes encoded, "
                f"more than the maximum frame size of {exc.limit} bytes"
            )
            self.error(call_id, describe(problem, "encode", with_traceback=False), now)
        return True

    def error(self, call_id, error, now=False):
        body = self.error_body(call_id, error)
        if body is not None:
            self.writer.add(body, now)

    def write(self, body, call_id):
        """Writes one frame now; False if the host is gone."""
        try:
            self.writer.write(body)
            return True
        except OSError as exc:
            log().debug("could not write to the host for call %d: %s", call_id, exc)
            return False

    @staticmethod
    def end_body(call_id):
        return _codec.encode([END, call_id])

    def item_body(self, call_id, index, item):
        """The ITEM frame body for the item at ``index``, or None and the error that replaces it."""
        max_frame = self.writer.max_frame
        try:
            body = _codec.encode_body([ITEM, call_id, item])
        except Exception as exc:
            error = describe(exc, "encode", with_traceback=False)
        else:
            if len(body) <= max_frame:
                return body, None
            problem = ValueError(
                f"the item is {len(body)} bytes encoded, "
                f"more than the maximum frame size of {max_frame} bytes"
            )
            error = describe(problem, "encode", with_traceback=False)
        error["message"] = f"stream item {index}: {error['message']}"
        return None, error

    def error_body(self, call_id, error):
        """The ERROR frame body for ``error``, its texts cut until it fits; None if nothing fits."""
        for cap in _ERROR_TEXT_CAPS:
            fields = dict(error)
            fields["message"] = shorten(fields["message"], cap)
            fields["traceback"] = shorten(fields["traceback"], cap)
            try:
                body = _codec.encode([ERROR, call_id, fields])
            except UnicodeEncodeError:  # lone surrogates in a message
                for key, text in fields.items():
                    fields[key] = text.encode("utf-8", "backslashreplace").decode("utf-8")
                body = _codec.encode([ERROR, call_id, fields])
            if len(body) <= self.writer.max_frame:
                return body
        log().error("the error for call %d does not fit in a frame: %s", call_id, error["message"])
        return None


class _Flusher:
    """Writes the frames left waiting in the FrameWriter while the main thread runs user code.

    A thread, started on first use, that writes whatever is still waiting a millisecond after
    arm(). The writer's lock keeps the frames in order whoever writes them.
    """

    def __init__(self, writer):
        self._writer = writer
        self._wake = None
        # Set by arm(), cleared by the thread just before it flushes: frames added before arm()
        # saw it set are written by that flush.
        self.armed = False

    def arm(self):
        if self._wake is None:
            import threading

            self._wake = threading.Event()
            threading.Thread(target=self._run, name="pysynapse-flush", daemon=True).start()
        self.armed = True
        self._wake.set()

    def _run(self):
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(_FLUSH_DELAY)
            self.armed = False
            try:
                self._writer.flush()
            except OSError as exc:
                log().debug("the flusher could not write: %s", exc)
                return
