"""A worker whose handlers call the host's functions (pysynapse.host)."""

import sys
import threading

import pysynapse
from pysynapse import host

late = []


def ask(payload):
    return host.call(payload["fn"], payload.get("arg"))


async def ask_async(payload):
    return await host.call_async(payload["fn"], payload.get("arg"))


def ask_from_threads(payload):
    answers = [None] * payload["threads"]

    def one(index):
        answers[index] = host.call(payload["fn"], index)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(payload["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


async def blocking_call_in_async(payload):
    try:
        host.call("f", None)
    except RuntimeError as exc:
        return str(exc)
    return "not refused"


def java_error(payload):
    try:
        host.call(payload["fn"], payload.get("arg"))
    except host.JavaError as exc:
        return {
            "class": type(exc).__name__,
            "java_type": exc.java_type,
            "java_message": exc.java_message,
            "java_stack_trace": exc.java_stack_trace,
            "kind": exc.kind,
            "lookup": isinstance(exc, LookupError),
        }
    return "no error"


def wait_for_cancel(payload):
    """Waits for the host; records how the wait ended."""
    try:
        host.call(payload, None)
    except pysynapse.CallCancelled as exc:
        late.append(f"cancelled: {exc}")
        raise
    return "answered"


def call_after_cancel(payload):
    """Is cancelled while sleeping, then calls the host anyway."""
    print("started call_after_cancel", file=sys.stderr, flush=True)
    try:
        threading.Event().wait(30)
    except pysynapse.CallCancelled:
        try:
            host.call(payload, None)
        except pysynapse.CallCancelled as exc:
            late.append(f"refused: {exc}")
        else:
            late.append("not refused")
    return "late"


def recorded(payload):
    return late.pop() if late else None


def ask_unencodable(payload):
    return host.call("f", {1, 2})


def echo(payload):
    return payload


def fail(payload):
    raise ValueError(f"bad {payload}")


if __name__ == "__main__":
    pysynapse.serve(
        {
            "ask": ask,
            "ask_async": ask_async,
            "ask_from_threads": ask_from_threads,
            "blocking_call_in_async": blocking_call_in_async,
            "java_error": java_error,
            "wait_for_cancel": wait_for_cancel,
            "call_after_cancel": call_after_cancel,
            "recorded": recorded,
            "ask_unencodable": ask_unencodable,
            "echo": echo,
            "fail": fail,
        }
    )
