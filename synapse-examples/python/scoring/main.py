"""A churn model in numpy, served to a Java Spark job: each task streams its partition's rows here
as Arrow batches (each a pyarrow.Table), and gets each batch's scores back (the shape of PySpark's
mapInArrow)."""
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
        yield pa.table(
            [batch.column("customer"), pa.array(probability), pa.array(probability > 0.5)],
            names=["customer", "churn", "call"],
        )


if __name__ == "__main__":
    pysynapse.serve({"score": score})
