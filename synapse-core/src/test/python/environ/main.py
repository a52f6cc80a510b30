"""Answers every call with the worker's environment, as the worker sees it."""
import os

import pysynapse


def environ(_):
    return dict(os.environ)


if __name__ == "__main__":
    pysynapse.serve(environ)
