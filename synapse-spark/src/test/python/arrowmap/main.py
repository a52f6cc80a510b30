"""Python functions for the synapse-spark tests: each is called once per partition with an iterator
over its batches (each a pyarrow.Table of one record batch) and yields tables or record batches, the
shape of PySpark's mapInArrow."""
import os
import signal
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import pysynapse


def double(batches):
    """y = x * 2 + 1 for every row, nulls staying null; id and x pass through."""
    for batch in batches:
        y = pc.add(pc.multiply(batch.column("x"), 2), 1)
        yield pa.table([batch.column("id"), batch.column("x"), y], names=["id", "x", "y"])


def vectorised(batches):
    """The same map in numpy, for columns without nulls."""
    for batch in batches:
        x = batch.column("x").to_numpy()
        yield pa.table([batch.column("id"), pa.array(x * 2.0 + 1.0)], names=["id", "y"])


def ids(batches):
    for batch in batches:
        yield batch.select(["id"])


def count_rows(batches):
    """One row per batch: how many rows it had."""
    for batch in batches:
        yield pa.record_batch([pa.array([batch.num_rows], pa.int64())], names=["n"])


def _check_row(value):
    if value == 4242:
        raise ValueError("row 4242 is not allowed")


def fail_on_4242(batches):
    for batch in batches:
        for value in batch.column("id").to_pylist():
            _check_row(value)
        yield batch.select(["id"])


def die_once(batches):
    """SIGKILLs its worker the first time it runs in a test (a marker file remembers it)."""
    marker = os.path.join(os.environ["SPARK_TEST_MARKERS"], "died")
    for batch in batches:
        try:  # O_EXCL: of two workers that get here at once, only one dies
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        yield batch.select(["id"])


def sleep_forever(batches):
    """Says it started (a marker file), then sleeps until cancelled; says so on the way out."""
    markers = os.environ["SPARK_TEST_MARKERS"]
    for _ in batches:
        with open(os.path.join(markers, "sleeping-%d" % os.getpid()), "w"):
            pass
        try:
            time.sleep(600)
        finally:
            with open(os.path.join(markers, "cancelled-%d" % os.getpid()), "w"):
                pass
        yield pa.record_batch([pa.array([0], pa.int64())], names=["id"])


def renamed(batches):
    for batch in batches:
        yield pa.table([batch.column("id")], names=["identifier"])


def retyped(batches):
    for batch in batches:
        yield pa.table([pc.cast(batch.column("id"), pa.string())], names=["id"])


def numpy_sum(batches):
    for batch in batches:
        yield pa.record_batch([pa.array([float(np.sum(batch.column("x").to_numpy()))])], names=["s"])


FUNCTIONS = [double, ids, vectorised, count_rows, fail_on_4242, die_once, sleep_forever, renamed,
             retyped, numpy_sum]

if __name__ == "__main__":
    pysynapse.serve({f.__name__: f for f in FUNCTIONS})
