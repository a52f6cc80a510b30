"""Reports how the bootstrap ran it: its module globals, sys.argv, sys.path[0] and __main__."""

import pickle
import sys

import pysynapse


class Point:
    pass


def info(payload):
    return {
        "name": __name__,
        "file": __file__,
        "package": __package__,
        "spec": repr(__spec__),
        "loader": repr(__loader__),
        "cached": __cached__,
        "doc": __doc__,
        "argv": sys.argv,
        "path0": sys.path[0],
        "main is this module": sys.modules["__main__"].__dict__ is globals(),
        "pickles": type(pickle.loads(pickle.dumps(Point()))) is Point,
    }


pysynapse.serve(info)
