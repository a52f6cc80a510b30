"""A churn model in numpy, served to a Java Spark job: each task streams its partition's rows here
as Arrow record batches, and gets each batch's scores back (the shape of PySpark's mapInArrow)."""
import numpy as np
import pyarrow as pa

import pysynapse

# A logistic regression "trained" elsewhere: weights of tenure (months), monthly spend and support
# calls, and the intercept.
WEIGHTS = np.array([-0.08, 0.015, 0.6])
INTERCEPT = -0.5


def score(batches):
    """For every customer: the churn probability and whether to call them."""
    for batch in batches:
        features = np.column_stack(
            [batch.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
             for name in ("tenure", "spend", "support_calls")]
        )
        probability = 1.0 / (1.0 + np.exp(-(features @ WEIGHTS + INTERCEPT)))
        yield pa.record_batch(
            [batch.column("customer"), pa.array(probability), pa.array(probability > 0.5)],
            names=["customer", "churn", "call"],
        )


def per_batch(function):
    """One call per batch: its value and answer are Arrow IPC streams."""

    def handler(value):
        sink = pa.BufferOutputStream()
        writer = None
        for out in function(iter(pa.ipc.open_stream(value.data))):
            writer = writer or pa.ipc.new_stream(sink, out.schema)
            writer.write_batch(out)
        if writer is None:
            return pysynapse.ExtType(2, b"")
        writer.close()
        return pysynapse.ExtType(2, sink.getvalue().to_pybytes())

    return handler


if __name__ == "__main__":
    pysynapse.serve({"score": per_batch(score)})
