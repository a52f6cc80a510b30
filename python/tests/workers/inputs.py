"""Handlers whose input is a stream (a feed): the Python-side tests of input streams."""

import asyncio
import os
import time

import pysynapse

state = {"taken": 0, "closed": 0}


def total(items):
    return sum(items)


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
        return {"seen": seen, "position": exc.position, "type": exc.type_name, "message": str(exc)}
    return {"seen": seen}


def hang(items):
    """Takes one item, then waits for ever (cancel interrupts the sleep)."""
    next(items)
    try:
        time.sleep(3600)
    finally:
        state["closed"] += 1


def taken(_):
    return dict(state)


def rss(_):
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


def echo(payload):
    return payload


async def atotal(items):
    n = 0
    async for item in items:
        n += item
    return n


async def adouble(items):
    async for item in items:
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
        return {"seen": seen, "position": exc.position, "type": exc.type_name}
    return {"seen": seen}


pysynapse.serve(
    {
        "total": total,
        "count": count,
        "slow_count": slow_count,
        "first": first,
        "double": double,
        "passthrough": passthrough,
        "fail_at": fail_at,
        "catch_input_error": catch_input_error,
        "hang": hang,
        "taken": taken,
        "rss": rss,
        "echo": echo,
        "atotal": atotal,
        "adouble": adouble,
        "afail_at": afail_at,
        "acatch_input_error": acatch_input_error,
    }
)
