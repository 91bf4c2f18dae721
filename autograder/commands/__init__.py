"""One module per ``xorkit`` verb; each exposes a click command named ``command``.

``autograder.cli`` lists the verbs from ``VERBS`` and imports a verb's module
only to run it or show its own help: the verbs need nbgrader, nbformat and
NumPy, seconds of start-up that ``xorkit --help`` should not pay. Adding a verb
is a new module here, named after the verb, and one line in ``VERBS``
(tests/test_cli.py checks the line against the module).
"""

# verb (and its module) → the first sentence of its help, which `xorkit --help` lists
VERBS = {
    "build": "Generate release/ and solutions/ from source/.",
    "collect": "Collect the notebooks of an LMS download (a zip or a folder) into submitted/.",
    "grade": "Autograde every submission in submitted/ and print a table of scores.",
    "feedback": (
        "Write feedback/<student>/<assignment>/<assignment>.html for every graded submission."
    ),
    "export": "Write the grades to a CSV, one row per student.",
    "report": "Write an instructor's report of the graded class: index.html and PNG plots.",
    "gradescope": "Export each assignment as a Gradescope autograder bundle (a zip).",
    "sweep": "Run the weight-scale study on an assignment's train_many and plot it.",
    "similarity": "Compare the students' code, pair by pair, and write the most similar pairs.",
    "audit": "Check each assignment's hidden checks against simulated student mistakes.",
}
