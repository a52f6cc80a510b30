"""pysynapse: serve Python functions to a Synapse host over the worker's stdin and stdout.

The host (the JVM side, ``dev.synapse``) starts this process with ``python -m pysynapse._bootstrap
DIR/ENTRY.py``; ENTRY.py calls ``serve()``::

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

from . import host
from ._codec import ExtType
from ._inputs import InputStreamError
from ._interrupt import CallCancelled
from ._server import serve
from ._version import __version__

__all__ = ["CallCancelled", "ExtType", "InputStreamError", "__version__", "host", "serve"]
