"""A single-handler worker."""

import pysynapse

pysynapse.serve(lambda payload: payload)
