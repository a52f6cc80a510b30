"""Handlers whose input is a stream, for the input-stream tests; the plain functions report what
the handlers did."""

import asyncio
import os
import time

import pysynapse

state = {"taken": 0, "finally": 0}


def total(items):
    return sum(items)


def collect(items):
    return list(items)


def double(items):
    """Stream in, stream out."""
    for item in items:
        yield item * 2


def slow_double(items):
    """Stream in, stream out, pausing 20 ms every 1000 items: a slow consumer of its input."""
    for i, item in enumerate(items):
        if i % 1000 == 999:
            time.sleep(0.02)
        yield item * 2


def first(items):
    """Takes one item and returns: the rest of the input is not wanted."""
    return next(items)


def fail_at_boom(items):
    for n, item in enumerate(items):
        if item == "boom":
            raise ValueError(f"no boom please (it was item {n})")
    return "no boom"


def catch_input_error(items):
    seen = []
    try:
        for item in items:
            seen.append(item)
    except pysynapse.InputStreamError as exc:
        return {"seen": seen, "position": exc.position, "type": exc.type_name,
                "message": exc.host_message}
    return {"seen": seen}


async def acatch_input_error(items):
    seen = []
    try:
        async for item in items:
            seen.append(item)
    except pysynapse.InputStreamError as exc:
        return {"seen": seen, "position": exc.position, "type": exc.type_name,
                "message": exc.host_message}
    return {"seen": seen}


def _took(item):
    """Tells the test, through the worker's log, that the handler has taken ``item``."""
    print(f"took item {item}", flush=True)


def hang(items):
    """Takes one item, then waits for ever (a cancel interrupts the sleep)."""
    state["taken"] = 0
    try:
        _took(next(items))
        state["taken"] = 1
        time.sleep(3600)
    finally:
        state["finally"] += 1


def hang_waiting(items):
    """Waits for input the host does not send."""
    try:
        for item in items:
            state["taken"] += 1
            _took(item)
    finally:
        state["finally"] += 1


def report(_):
    return dict(state)


def pid(_):
    return os.getpid()


def echo(payload):
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


async def afail_at_boom(items):
    n = 0
    async for item in items:
        if item == "boom":
            raise ValueError("no boom please")
        n += 1
    return n


async def ahang(items):
    try:
        async for item in items:
            state["taken"] += 1
            _took(item)
            await asyncio.sleep(3600)
    finally:
        state["finally"] += 1


pysynapse.serve(
    {
        name: function
        for name, function in globals().items()
        if callable(function) and not name.startswith("_") and function.__module__ == "__main__"
    }
)
