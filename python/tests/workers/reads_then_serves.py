"""Reads stdin itself, then calls serve(): serve() must refuse."""

import sys

import pysynapse

sys.stdin.buffer.read(4)
pysynapse.serve(lambda payload: payload)
