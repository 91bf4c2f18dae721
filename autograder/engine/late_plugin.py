"""A per-hour late penalty as an nbgrader late-submission plugin.

Configured as nbgrader configures its own plugin (``nbgrader_config.py``)::

    c.AssignLatePenalties.plugin_class = "autograder.engine.late_plugin.PerHourPenalty"
    c.PerHourPenalty.points_per_hour = 0.5

or for one run with ``xorkit grade --late-penalty per-hour:0.5``.
"""

from __future__ import annotations

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

from autograder.engine.late import hours_started


class PerHourPenalty(LateSubmissionPlugin):
    """``points_per_hour`` for every hour or part of an hour a notebook is late.

    nbgrader calls it only for a late submission, with the notebook's score as
    the grader decided it, and caps what it returns at that score."""

    points_per_hour = Float(
        0.0, min=0.0, help="Points a notebook loses per hour (or part of one) it is late."
    ).tag(config=True)

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        penalty = self.points_per_hour * hours_started(total_seconds_late)
        return penalty if penalty > 0 else None
