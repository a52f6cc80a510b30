"""Handlers whose input is a stream (a feed), for the input-stream tests of both sides: the
protocol tests here and the Java tests of Request.streamInput (InputStreamTest and
InputStreamFailureTest in synapse-core), which spawn this file too. ``taken`` reports what the
handlers did; a handler that waits says which item it took on stdout (the host's log), so a test
can wait for that instead of sleeping."""

import asyncio
import os
import time

import pysynapse

state = {"taken": 0, "closed": 0}


def _took(item):
    print(f"took item {item}", flush=True)


def _input_error(seen, exc):
    return {
        "seen": seen,
        "position": exc.position,
        "type": exc.type_name,
        "message": exc.host_message,
        "text": str(exc),
    }


def total(items):
    return sum(items)


def collect(items):
    return list(items)


def count(items):
    n = 0
    for _ in items:
        n += 1
    return n


def slow_count(items):
    """Takes an item every millisecond."""
    n = 0
    for _ in items:
        time.sleep(0.001)
        n += 1
    return n


def first(items):
    """Takes one item and returns: the rest of the input is not wanted."""
    return next(items)


def double(items):
    """Stream in, stream out."""
    try:
        for item in items:
            state["taken"] += 1
            yield item * 2
    finally:
        state["closed"] += 1


def slow_double(items):
    """Stream in, stream out, pausing 20 ms every 1000 items: a slow consumer of its input."""
    for i, item in enumerate(items):
        if i % 1000 == 999:
            time.sleep(0.02)
        yield item * 2


def passthrough(items):
    """Returns the feed itself (a plain def returning an iterator: stream out)."""
    return items


def fail_at(items):
    """Raises at the item that says "boom"."""
    n = 0
    for item in items:
        if item == "boom":
            raise ValueError(f"bad item after {n}")
        n += 1
    return n


def catch_input_error(items):
    seen = []
    try:
        for item in items:
            seen.append(item)
    except pysynapse.InputStreamError as exc:
        return _input_error(seen, exc)
    return {"seen": seen}


def hang(items):
    """Takes one item, then waits for ever (a cancel interrupts the sleep)."""
    try:
        _took(next(items))
        time.sleep(3600)
    finally:
        state["closed"] += 1


def hang_waiting(items):
    """Takes the items as they come; the host holds back the second."""
    try:
        for item in items:
            state["taken"] += 1
            _took(item)
    finally:
        state["closed"] += 1


def taken(_):
    return dict(state)


def pid(_):
    return os.getpid()


def rss(_):
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


def echo(payload):
    return payload


async def aecho(payload):
    return payload


async def atotal(items):
    n = 0
    async for item in items:
        n += item
    return n


async def adouble(items):
    async for item in items:
        await asyncio.sleep(0)
        yield item * 2


async def afail_at(items):
    n = 0
    async for item in items:
        if item == "boom":
            raise ValueError(f"bad item after {n}")
        n += 1
        await asyncio.sleep(0)
    return n


async def acatch_input_error(items):
    seen = []
    try:
        async for item in items:
            seen.append(item)
    except pysynapse.InputStreamError as exc:
        return _input_error(seen, exc)
    return {"seen": seen}


async def ahang(items):
    """Takes one item, then waits for ever (a cancel cancels the task)."""
    try:
        async for item in items:
            state["taken"] += 1
            _took(item)
            await asyncio.sleep(3600)
    finally:
        state["closed"] += 1


pysynapse.serve(
    {
        name: function
        for name, function in globals().items()
        if callable(function) and not name.startswith("_") and function.__module__ == "__main__"
    }
)
