"""The grading engine: the pipeline over a class, nbgrader's bookkeeping, the
fingerprints that decide reuse, the sandbox and the worker inside it."""
