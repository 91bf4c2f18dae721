"""The untrusted side of sandboxed grading.

``executor.py`` runs a submission's cells inside the sandbox and answers calls
of its functions; ``wire.py`` is the message format both sides speak. Neither
imports anything from ``autograder`` (the checks and the reference must stay
out of the sandbox), so both are copied into it as plain files.
"""
