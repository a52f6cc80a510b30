"""Answers every call with its own input."""
import pysynapse


def echo(payload):
    return payload


if __name__ == "__main__":
    pysynapse.serve(echo)
