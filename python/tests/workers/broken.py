"""A module that fails while it is being imported."""


def helper():
    raise ImportError("no such thing")


helper()
