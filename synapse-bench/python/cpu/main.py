"""CPU-bound work in pure Python, holding the GIL throughout: the module behind the pool-scaling
figure of synapse-bench, where only more processes can add throughput."""

import pysynapse


def spin(loops):
    total = 0
    for i in range(loops):
        total += i * i
    return total


if __name__ == "__main__":
    pysynapse.serve({"spin": spin})
