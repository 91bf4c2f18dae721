"""When Gradescope shows a student a test's result: the values its results.json accepts.

Apart from ``autograder.course.gradescope``, which needs nbformat and nbgrader, so that
``xorkit gradescope --help`` can offer them without importing either.
"""

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
