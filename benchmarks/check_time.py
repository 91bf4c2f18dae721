"""CPU time of every hidden check on one correct submission (the reference).

    python benchmarks/check_time.py

Runs ``run_checks`` for the ten contract functions in a fresh process, as a
graded notebook's kernel does (so the first pass pays for the cached
finite-difference cases), and prints process time per function and in total,
cold and then warm. Target: under 2 s of CPU per submission.
"""

import time

from autograder import contract
from autograder.checking import reference
from autograder.checking.runner import run_checks


def one_pass(namespace: dict) -> dict[str, float]:
    """Seconds of CPU per function for one run of every check."""
    seconds = {}
    for function in contract.FUNCTIONS:
        start = time.process_time()
        results = run_checks(function, namespace)
        seconds[function] = time.process_time() - start
        failed = [r.name for r in results if r.status != "passed"]
        if failed:
            raise SystemExit(f"the reference fails {function}: {failed}")
    return seconds


def main() -> None:
    ref = reference.load()
    namespace = {name: getattr(ref, name) for name in contract.FUNCTIONS}
    cold, warm = one_pass(namespace), one_pass(namespace)
    print(f"{'function':20s} {'cold s':>8s} {'warm s':>8s}")
    for function in contract.FUNCTIONS:
        print(f"{function:20s} {cold[function]:8.3f} {warm[function]:8.3f}")
    print(f"{'all hidden checks':20s} {sum(cold.values()):8.3f} {sum(warm.values()):8.3f}")


if __name__ == "__main__":
    main()
