"""The demo module: a few functions served to Java with pysynapse (no pip install needed)."""
import asyncio
import logging
import math
import platform
from collections import Counter

import pysynapse

log = logging.getLogger("demo")


def word_stats(text):
    """Counts the words of a text and returns the most common ones."""
    words = [w.strip(".,;:!?\"'()").lower() for w in text.split()]
    words = [w for w in words if w]
    log.info("counted %d words", len(words))
    return {
        "words": len(words),
        "distinct": len(set(words)),
        "top": [[word, count] for word, count in Counter(words).most_common(3)],
    }


def primes(limit):
    """The primes below limit, by a sieve: CPU work that stays in Python."""
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for n in range(2, int(math.isqrt(limit)) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytearray(len(range(n * n, limit, n)))
    return [n for n in range(limit) if sieve[n]]


async def slow_square(x):
    """An async handler: many of these run at once in one worker."""
    await asyncio.sleep(0.2)
    return x * x


def divide(pair):
    """Raises ZeroDivisionError for [1, 0], which reaches Java as a PythonException."""
    a, b = pair
    return a / b


def about(_):
    return {"python": platform.python_version(), "implementation": platform.python_implementation()}


if __name__ == "__main__":
    pysynapse.serve(
        {
            "word_stats": word_stats,
            "primes": primes,
            "slow_square": slow_square,
            "divide": divide,
            "about": about,
        }
    )
