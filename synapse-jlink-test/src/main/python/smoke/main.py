"""The module the linked application spawns."""
import pysynapse


def echo(payload):
    return payload


def count(n):
    return iter(range(n))


def fail(payload):
    raise ValueError(payload)


if __name__ == "__main__":
    pysynapse.serve({"echo": echo, "count": count, "fail": fail})
