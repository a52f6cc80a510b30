"""One function for each kind of handler, used to check a worker on every supported Python."""
import asyncio

import pysynapse


def echo(payload):
    return payload


def fail(payload):
    raise ValueError("bad input: %s" % (payload,))


async def async_double(n):
    await asyncio.sleep(0)
    return n * 2


def count(n):
    for i in range(n):
        yield i


async def acount(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i


def reversed_bytes(data):
    return bytes(reversed(data))


def square(n):
    return n * n


if __name__ == "__main__":
    pysynapse.serve(
        {
            "echo": echo,
            "fail": fail,
            "async_double": async_double,
            "count": count,
            "acount": acount,
            "reversed_bytes": reversed_bytes,
            "square": square,
        }
    )
