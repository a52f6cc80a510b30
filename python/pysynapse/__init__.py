"""pysynapse: serve Python functions to a Synapse host over the worker's stdin and stdout.

The host (the JVM side, ``dev.synapse``) starts this process with pysynapse's bootstrap
(_bootstrap.py) running DIR/ENTRY.py; ENTRY.py calls ``serve()``::

    host (JVM)                          this worker
    ──────────                          ───────────
    CALL, CANCEL ──► copy of fd 0 ──► FrameReader ─► decode ─► queue ─► handler(payload)
                                                                    │   (main thread)
                                                                    └─► async handler
                                                                        (asyncio thread)
    RESULT, ERROR ◄── copy of fd 1 ◄── FrameWriter (lock) ◄── encode ◄── value or error
    log lines ◄── stderr, fd 1 ◄── logging, print(), C extensions, child processes, faulthandler

The frames travel on private copies of the original fds 0 and 1; fd 0 itself then reads /dev/null
and fd 1 writes to stderr, so nothing else in the process can take or corrupt a frame.

Example ENTRY.py::

    import pysynapse

    def add(payload):
        return payload["a"] + payload["b"]

    async def fetch(payload):
        ...

    pysynapse.serve({"add": add, "fetch": fetch})

A handler calls the Java functions the host exposes with ``pysynapse.host.call(name, payload)``
(``await pysynapse.host.call_async(...)`` in an async one); see ``pysynapse.host``.

When the host cancels a call (a timeout, or cancel()), a plain handler that is running gets
``CallCancelled`` raised in it, and an async one has its task cancelled.

Values travel as MessagePack: the ``msgpack`` package is used when it is installed (``pip install
pysynapse[fast]``), else a pure-Python codec with identical output. Logging records reach the host
with their level. The wire protocol is described in the Synapse repository's docs/protocol.md.
"""

from ._codec import ExtType
from ._interrupt import CallCancelled
from ._server import serve
from ._version import __version__

__all__ = ["CallCancelled", "ExtType", "InputStreamError", "__version__", "host", "serve"]

TYPE_CHECKING = False  # as type checkers read it; typing itself costs start-up time
if TYPE_CHECKING:
    from . import host
    from ._inputs import InputStreamError

# Loaded when first used: most workers never call the host or take a stream input, and every
# module imported costs each worker start-up time.
def __getattr__(name):
    if name == "host":
        import importlib  # not "from . import host", which would ask this function again

        return importlib.import_module(__name__ + ".host")  # now an attribute of the package
    if name == "InputStreamError":
        from ._inputs import InputStreamError

        globals()[name] = InputStreamError
        return InputStreamError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"host", "InputStreamError"})
