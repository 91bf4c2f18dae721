"""The hidden checks of ``xor_relu``, one module per contract function.

Each check is a pytest test taking the fixture ``impl`` (a ``Submission``) and
registered on the assignment (``@ASSIGNMENT.check``); ``pytest assignments``
runs them on the reference solution, and the notebook's hidden test cells run
them on a student's functions via ``grade``.
"""
