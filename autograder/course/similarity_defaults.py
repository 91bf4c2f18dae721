"""The similarity report's defaults: which pairs it flags and how many it shows.

Apart from ``autograder.course.similarity``, which needs NumPy and copydetect, so
that ``xorkit similarity --help`` can show them without importing either.
"""

# A pair scoring this or more is flagged (1 = the same code). On the test class
# (tests/test_similarity.py) the planted copies score 0.94 or more (one edited
# inside nine statements 0.61), independent correct solutions 0.28 at most.
THRESHOLD = 0.5
TOP = 20  # the most similar pairs shown side by side
