"""One module per ``xorkit`` verb; each exposes a click command named ``command``.

``autograder.cli`` only collects them: adding a verb is a new module here and
one line in ``VERBS``.
"""

VERBS = ["build", "collect", "grade", "feedback", "export", "report", "gradescope"]
