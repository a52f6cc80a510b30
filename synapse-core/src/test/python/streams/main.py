"""Generator functions for the streaming tests; the plain functions report what the generators did."""
import asyncio
import os
import time

import pysynapse

state = {"produced": 0, "finally": [], "closed": []}


def count(n):
    """0 .. n-1, as fast as credit allows; `produced` counts what was taken from the generator."""
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


def closed(_):
    return {"closed": state["closed"], "finally": state["finally"]}


def fail_after(n):
    for i in range(n):
        yield i
    raise ValueError("failed after %d items" % n)


def unencodable_at(n):
    for i in range(n):
        yield i
    yield {1, 2}


def sized(spec):
    """`count` items of `size` bytes each."""
    for _ in range(spec["count"]):
        state["produced"] += 1
        yield bytes(spec["size"])


def maybe_none(_):
    yield None
    yield 1
    yield None


def stall(seconds):
    yield "first"
    time.sleep(seconds)
    yield "late"


def ticks(n):
    for i in range(n):
        time.sleep(0.1)
        yield i


def plain(x):
    return [x]


def pid(_):
    return os.getpid()


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


async def astall(tag):
    try:
        yield "first"
        await asyncio.sleep(30)
        yield "late"
    finally:
        state["finally"].append(tag)


async def afail_after(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i
    raise KeyError("failed after %d items" % n)


if __name__ == "__main__":
    pysynapse.serve(
        {
            name: fn
            for name, fn in globals().items()
            if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", None) == "__main__"
        }
    )
