"""The late-penalty rule of one grading run, as nbgrader configures its late penalties.

nbgrader records a late penalty per submitted notebook: its ``AssignLatePenalties``
asks the plugin ``c.AssignLatePenalties.plugin_class`` (default
``LateSubmissionPlugin``, whose ``penalty_method`` is ``none`` or ``zero``) for
the penalty of a notebook submitted ``total_seconds_late`` after the gradebook's
due date (plus the student's extension), given its score; the kit's bookkeeping
asks it with the grader's scores (``autograder.engine.bookkeeping``). A course
sets its rule in ``nbgrader_config.py``; nbgrader's default is no penalty.
``xorkit grade --late-penalty RULE`` overrides it for one run:

* ``none``: no penalty (nbgrader's ``penalty_method = "none"``);
* ``zero``: a late notebook scores zero (``penalty_method = "zero"``);
* ``per-hour:POINTS``: POINTS per hour or part of an hour late, at most the
  notebook's score (``autograder.engine.late_plugin.PerHourPenalty``).

This module imports neither nbgrader nor traitlets until a rule is applied:
``xorkit grade --help`` parses rules too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RULES = "none, zero or per-hour:POINTS"
PER_HOUR_PLUGIN = "autograder.engine.late_plugin.PerHourPenalty"


@dataclass(frozen=True)
class Rule:
    method: str  # "none", "zero" or "per-hour"
    points_per_hour: float = 0.0  # per-hour only

    def __str__(self) -> str:
        return f"per-hour:{self.points_per_hour:g}" if self.method == "per-hour" else self.method

    def settings(self) -> dict[str, dict[str, object]]:
        """The nbgrader configuration that applies this rule: section -> option -> value."""
        if self.method == "per-hour":
            return {
                "AssignLatePenalties": {"plugin_class": PER_HOUR_PLUGIN},
                "PerHourPenalty": {"points_per_hour": self.points_per_hour},
            }
        return {
            "AssignLatePenalties": {"plugin_class": "nbgrader.plugins.LateSubmissionPlugin"},
            "LateSubmissionPlugin": {"penalty_method": self.method},
        }

    def config(self):
        """``settings`` as a traitlets ``Config``, to merge over the course's."""
        from traitlets.config import Config

        return Config(self.settings())

    def arguments(self) -> list[str]:
        """``settings`` as nbgrader command-line options (for stock ``nbgrader autograde``)."""
        return [
            f"--{section}.{name}={value}"
            for section, options in self.settings().items()
            for name, value in options.items()
        ]


def parse(text: str) -> Rule:
    """The rule ``text`` names; ``ValueError`` saying what is accepted otherwise."""
    method, _, points = text.strip().partition(":")
    if method in ("none", "zero") and not points:
        return Rule(method)
    if method == "per-hour":
        try:
            value = float(points)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and value >= 0:
            return Rule(method, value)
        raise ValueError(f"per-hour needs the points lost an hour (per-hour:0.5), not {text!r}")
    raise ValueError(f"a late penalty is {RULES}, not {text!r}")


def hours_started(seconds_late: float) -> int:
    """The hours a submission ``seconds_late`` past its due date is late, each part
    of an hour counting as one (a second late is an hour's penalty)."""
    return math.ceil(seconds_late / 3600) if seconds_late > 0 else 0
