"""Calling the Java functions that the host exposes (``Synapse.builder().expose(name, fn)``).

Example::

    import pysynapse
    from pysynapse import host

    def score(payload):
        customer = host.call("customer", payload["id"])  # runs the Java function, waits
        return customer["risk"] * payload["amount"]

    async def enrich(payload):
        return await host.call_async("lookup", payload)

    pysynapse.serve({"score": score, "enrich": enrich})

A Java function may call this worker again while a handler waits for it: the worker goes on
serving meanwhile (a plain handler waiting on the serve loop's thread runs those calls itself).
The payload and the answer travel as a call's do (MessagePack values).
"""

from ._host import JavaError, UnknownFunctionError, active
from ._interrupt import CallCancelled

__all__ = ["CallCancelled", "JavaError", "UnknownFunctionError", "call", "call_async"]


def call(name, payload=None):
    """Calls the host's function ``name`` with ``payload`` and returns its answer.

    Blocks: use it in plain (``def``) handlers, generators and threads they start; in an ``async
    def`` handler use ``call_async``. Raises ``JavaError`` (the Java exception's class, message
    and stack trace) if the function throws, ``UnknownFunctionError`` (a ``JavaError`` and a
    ``LookupError``) if the host exposes no such function, ``CallCancelled`` if the host cancels
    the call this handler serves (its timeout, or cancel()) meanwhile or has cancelled it already,
    ``TypeError``/``ValueError`` if the payload cannot be encoded, and ``RuntimeError`` outside
    ``serve()`` or on the event loop of async handlers.
    """
    return active().call(name, payload)


async def call_async(name, payload=None):
    """Calls the host's function ``name`` with ``payload`` and returns its answer, without
    blocking the event loop. Raises what ``call`` raises; when the awaiting task is cancelled
    (the host cancelled its call), the host cancels the function too."""
    return await active().call_async(name, payload)
