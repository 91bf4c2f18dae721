"""The checks core: a check and its result, scoring, hints, the shared numerical
probes, and the reference solution every check is measured against."""
