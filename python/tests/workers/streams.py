"""A worker serving generator functions, for the streaming tests."""

import asyncio
import logging
import time

import pysynapse

log = logging.getLogger("streams")
state = {"produced": 0, "closed": [], "finally": []}


def count(n):
    for i in range(n):
        state["produced"] = i + 1
        yield i


def produced(_):
    return state["produced"]


def forever(tag):
    try:
        i = 0
        while True:
            yield i
            i += 1
    except GeneratorExit:
        state["closed"].append(tag)
        raise
    finally:
        state["finally"].append(tag)
        log.warning("finally %s", tag)


def closed(_):
    return {"closed": state["closed"], "finally": state["finally"]}


def fail_after(n):
    yield from range(n)
    raise ValueError(f"failed after {n} items")


def unencodable_at(n):
    yield from range(n)
    yield {1, 2}
    yield "never sent"


def too_big_at(n):
    yield from range(n)
    yield b"x" * 4096


def returns_iterator(n):
    return iter(range(n))


def slow(n):
    for i in range(n):
        time.sleep(0.05)
        yield i


def progress(seconds):
    yield "started"
    time.sleep(seconds)
    yield "done"


def plain(x):
    return [x]


def echo(x):
    return x


def mark(payload):
    log.warning("mark %s", payload)


async def coroutine(x):
    return x


async def acount(n):
    for i in range(n):
        await asyncio.sleep(0)
        state["produced"] = i + 1
        yield i


async def aforever(tag):
    try:
        i = 0
        while True:
            await asyncio.sleep(0)
            yield i
            i += 1
    finally:
        state["finally"].append(tag)


async def afail_after(n):
    for i in range(n):
        yield i
    raise KeyError(f"failed after {n} items")


async def araises_oserror(_):
    yield 0
    raise OSError("the disk is gone")


async def acancels_itself(n):
    yield 0
    raise asyncio.CancelledError()


pysynapse.serve(
    {
        name: function
        for name, function in globals().items()
        if callable(function) and getattr(function, "__module__", None) == __name__
    }
)
