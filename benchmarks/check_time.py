"""CPU time of every hidden check on one correct submission (the reference).

    python -m benchmarks.check_time [ASSIGNMENT]

Runs ``run_checks`` for every contract function of the assignment (default
``xor_mlp``) of this checkout's course in a fresh process, as a
graded notebook's kernel does (so the first pass pays for the cached
finite-difference cases), and prints process time per function and in total,
cold and then warm. Target: under 2 s of CPU per submission. A check that
runs a helper process (xor_relu's jax.grad cross-check) is charged its CPU too.
"""

import resource
import sys
import time
from pathlib import Path

from autograder.checking import assignment
from autograder.checking.runner import run_checks

REPO = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    """CPU time of this process and of the helper processes it has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def one_pass(graded, namespace: dict) -> dict[str, float]:
    """Seconds of CPU per function for one run of every check."""
    seconds = {}
    for function in graded.names:
        start = cpu_seconds()
        results = run_checks(graded, function, namespace)
        seconds[function] = cpu_seconds() - start
        failed = [r.name for r in results if r.status != "passed"]
        if failed:
            raise SystemExit(f"the reference fails {function}: {failed}")
    return seconds


def main() -> None:
    graded = assignment.load(REPO, sys.argv[1] if len(sys.argv) > 1 else "xor_mlp")
    ref = graded.reference()
    namespace = {name: getattr(ref, name) for name in graded.names}
    cold, warm = one_pass(graded, namespace), one_pass(graded, namespace)
    print(f"{'function':20s} {'cold s':>8s} {'warm s':>8s}")
    for function in graded.names:
        print(f"{function:20s} {cold[function]:8.3f} {warm[function]:8.3f}")
    print(f"{'all hidden checks':20s} {sum(cold.values()):8.3f} {sum(warm.values()):8.3f}")


if __name__ == "__main__":
    main()
