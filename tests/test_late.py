"""Late penalties: nbgrader's late-submission plugin, chosen per run with
``xorkit grade --late-penalty``, computed on the grader's scores, shown in the
grade table and the export (``autograder.engine.late``)."""

import csv
import datetime
import shutil

import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.course import results
from autograder.engine import grading, late
from tests.helpers import built_course, finished_release, new_course, submit

DUE = datetime.datetime(2026, 11, 1, 12, 0, 0)
# 2.5 hours late: three hours started; and a day early
STAMPS = {"late": "2026-11-01 14:30:00 UTC", "early": "2026-10-31 12:00:00 UTC"}


def test_rules_parse_to_nbgrader_settings():
    """none and zero are nbgrader's own penalty methods, per-hour:POINTS the kit's
    plugin; each becomes the nbgrader configuration and command line that apply it."""
    assert late.parse("none").settings()["LateSubmissionPlugin"] == {"penalty_method": "none"}
    assert late.parse(" zero ").arguments() == [
        "--AssignLatePenalties.plugin_class=nbgrader.plugins.LateSubmissionPlugin",
        "--LateSubmissionPlugin.penalty_method=zero",
    ]
    rule = late.parse("per-hour:0.5")
    assert (rule.method, rule.points_per_hour, str(rule)) == ("per-hour", 0.5, "per-hour:0.5")
    assert rule.settings() == {
        "AssignLatePenalties": {"plugin_class": late.PER_HOUR_PLUGIN},
        "PerHourPenalty": {"points_per_hour": 0.5},
    }
    for bad in ["", "half", "zero:1", "per-hour", "per-hour:-1", "per-hour:nan", "per-hour:x"]:
        with pytest.raises(ValueError, match=r"late penalty|per-hour"):
            late.parse(bad)


def test_nbgrader_loads_the_rule_as_its_late_penalty_plugin():
    """nbgrader's AssignLatePenalties, configured with a rule, asks the rule's plugin:
    per-hour charges every hour or part of one (capped at the score by nbgrader),
    zero takes the score, none nothing."""
    from nbgrader.preprocessors import AssignLatePenalties

    def penalty(rule: str, score: float, seconds: float):
        step = AssignLatePenalties(config=late.parse(rule).config())
        step.init_plugin()
        return step.plugin_inst.late_submission_penalty("ada", score, seconds)

    assert penalty("per-hour:0.5", 20, 1) == 0.5
    assert penalty("per-hour:0.5", 20, 3600) == 0.5
    assert penalty("per-hour:0.5", 20, 3601) == 1.0
    assert penalty("per-hour:0", 20, 3601) is None
    assert penalty("zero", 20, 60) == 20
    assert penalty("none", 20, 60) is None


def test_a_bad_rule_is_a_usage_error(tmp_path):
    """``xorkit grade --late-penalty`` with a rule it does not know exits 2 and names
    the rules, before anything is graded."""
    course = new_course(tmp_path)
    result = CliRunner().invoke(
        main, ["grade", "--course", str(course), "--late-penalty", "per-day:1"]
    )
    assert result.exit_code == 2
    assert "none, zero or per-hour:POINTS" in result.output
    assert not (course / "gradebook.db").exists()


@pytest.fixture(scope="module")
def late_class(tmp_path_factory):
    """A course due on 1 November at noon with one submission 2.5 hours late, one a
    day early and one without timestamp.txt, graded by the kit with 1 point an hour,
    and a copy graded the same way by stock ``nbgrader autograde``."""
    kit = built_course(tmp_path_factory.mktemp("late") / "kit")
    with Gradebook(results.db_url(kit)) as gb:
        gb.update_or_create_assignment("xor_mlp", duedate=DUE)
    for student in ("late", "early", "unstamped"):
        path = submit(kit, student, finished_release())
        if student in STAMPS:
            (path.parent / "timestamp.txt").write_text(STAMPS[student])
    stock = shutil.copytree(kit, kit.parent / "stock")
    outcomes = grading.autograde(kit, "xor_mlp", jobs=2, sandbox="auto", late_penalty="per-hour:1")
    grading.autograde(stock, "xor_mlp", engine="nbgrader", sandbox="off", late_penalty="per-hour:1")
    return kit, stock, {o.student: o for o in outcomes}


@pytest.mark.slow
def test_a_late_submission_loses_points_per_hour_started(late_class):
    """The submission 2.5 hours past the gradebook's due date loses 3 points of the
    20 the grader gave it; the early and the unstamped ones lose nothing; stock
    nbgrader, given the same rule, records the same penalties."""
    _, stock, outcomes = late_class
    assert outcomes["late"].seconds_late == 2.5 * 3600
    assert (outcomes["late"].score, outcomes["late"].penalty) == (20, 3)
    assert outcomes["late"].final_score == 17
    for student in ("early", "unstamped"):
        assert (outcomes[student].seconds_late, outcomes[student].penalty) == (0, 0)
        assert outcomes[student].final_score == 20
    stocked = {o.student: (o.score, o.penalty) for o in results.collect(stock, "xor_mlp")}
    assert stocked == {s: (o.score, o.penalty) for s, o in outcomes.items()}


@pytest.mark.slow
def test_the_table_and_the_export_show_the_penalty(late_class, tmp_path):
    """The grade table gets a late column and scores after the penalty; the plain CSV
    has the final score, the raw score, the penalty and the hours late."""
    kit, _, outcomes = late_class
    table = results.table(list(outcomes.values()))
    header, *rows = [line.split() for line in table.splitlines() if not line.startswith("-")]
    assert header[:5] == ["student", "score", "max", "graded", "late"]
    late_row = next(r for r in rows if r[0] == "late")
    assert late_row[1:7] == ["17", "26", "now", "2.5", "h,", "-3"]
    assert next(r for r in rows if r[0] == "early")[4] == "—"

    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(
        main, ["export", "--course", str(kit), "--assignment", "xor_mlp", "--to", str(out)]
    )
    assert result.exit_code == 1, result.output  # written answers still await a person
    with out.open(newline="") as fh:
        got = {r["student_id"]: r for r in csv.DictReader(fh)}
    want = {"score": "17", "raw_score": "20", "late_submission_penalty": "3", "hours_late": "2.5"}
    assert {k: got["late"][k] for k in want} == want
    assert (got["early"]["score"], got["early"]["late_submission_penalty"]) == ("20", "0")


@pytest.mark.slow
def test_another_rule_regrades_and_replaces_the_penalty(late_class, tmp_path):
    """Grading again with another rule reuses no grade (the rule is part of every
    fingerprint): with zero the late submission scores 0, the others keep 20."""
    kit, _, _ = late_class
    course = shutil.copytree(kit, tmp_path / "course")
    outcomes = grading.autograde(course, "xor_mlp", jobs=2, sandbox="auto", late_penalty="zero")
    assert not any(o.reused for o in outcomes)
    scores = {o.student: o.final_score for o in outcomes}
    assert scores == {"late": 0, "early": 20, "unstamped": 20}
