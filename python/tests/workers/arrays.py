"""A worker that keeps, lets go of and changes the ndarrays it is given, for test_shm."""

import pysynapse

_kept = []


def keep(array):
    _kept.append(array)
    return [bool(array.flags.owndata), bool(array.flags.writeable)]


def let_go(_):
    del _kept[:]


def double_in_place(array):
    array *= 2
    return None


pysynapse.serve({"keep": keep, "let_go": let_go, "double_in_place": double_in_place})
