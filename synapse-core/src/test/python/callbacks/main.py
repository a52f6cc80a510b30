"""Handlers that call the host's exposed functions (pysynapse.host)."""

import os
import sys
import threading

import pysynapse
from pysynapse import host

recorded = []


def ask(payload):
    """Calls the host's function payload["fn"] with payload["arg"] and returns its answer."""
    return host.call(payload["fn"], payload.get("arg"))


async def ask_async(payload):
    return await host.call_async(payload["fn"], payload.get("arg"))


def ask_from_threads(payload):
    """Four threads of this plain handler call the host at once."""
    answers = [None] * 4

    def one(index):
        answers[index] = host.call(payload["fn"], f"{payload['arg']}/{index}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def nest(depth):
    """Java -> nest(n) -> Java "descend" -> nest(n - 1) ... -> nest(0)."""
    if depth == 0:
        return ["bottom"]
    return [f"py{depth}"] + host.call("descend", depth)


async def nest_async(depth):
    if depth == 0:
        return ["bottom"]
    return [f"apy{depth}"] + await host.call_async("descend_async", depth)


async def ask_with_deadline(payload):
    """Gives up on the host after 200 ms (the host function is withdrawn)."""
    import asyncio

    try:
        return await asyncio.wait_for(host.call_async(payload, None), 0.2)
    except asyncio.TimeoutError:
        return "gave up"


def java_error(payload):
    """Calls a host function that throws and describes the JavaError."""
    try:
        host.call(payload, None)
    except host.JavaError as exc:
        return {
            "class": f"{type(exc).__module__}.{type(exc).__name__}",
            "java_type": exc.java_type,
            "java_message": exc.java_message,
            "java_stack_trace": exc.java_stack_trace,
            "str": str(exc),
        }
    return "no error"


def wait_for_java(payload):
    """Waits for a host function that does not return; records how the wait ended."""
    try:
        return host.call(payload, None)
    except pysynapse.CallCancelled as exc:
        recorded.append(f"wait ended: {exc}")
        raise


def call_after_cancel(payload):
    """Sleeps until cancelled, then calls the host from a thread anyway (after the CANCEL)."""
    print("sleeping", file=sys.stderr, flush=True)
    try:
        threading.Event().wait(30)
    except pysynapse.CallCancelled:
        pass

    def late():
        try:
            host.call(payload, None)
        except pysynapse.CallCancelled as exc:
            recorded.append(f"refused: {exc}")
        except BaseException as exc:
            recorded.append(f"{type(exc).__name__}: {exc}")
        else:
            recorded.append("not refused")

    thread = threading.Thread(target=late)
    thread.start()
    thread.join()
    return "late"


def take_recorded(payload):
    return recorded.pop(0) if recorded else None


def fail(payload):
    raise ValueError(f"bad {payload}")


def echo(payload):
    return payload


def pid(payload):
    return os.getpid()


pysynapse.serve(
    {
        "ask": ask,
        "ask_async": ask_async,
        "ask_with_deadline": ask_with_deadline,
        "ask_from_threads": ask_from_threads,
        "nest": nest,
        "nest_async": nest_async,
        "java_error": java_error,
        "wait_for_java": wait_for_java,
        "call_after_cancel": call_after_cancel,
        "take_recorded": take_recorded,
        "fail": fail,
        "echo": echo,
        "pid": pid,
    }
)
