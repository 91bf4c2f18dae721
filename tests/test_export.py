"""`xorkit export`: one CSV row per student, keyed by student id, for an LMS import."""

import csv
import datetime
import re
import shutil

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.course import export, results
from tests.conftest import CRASHING, STUDENTS, UNREADABLE
from tests.helpers import GRADED_CELLS, new_course


@pytest.mark.slow
def test_export_writes_one_row_per_student(graded_course, tmp_path):
    """The CSV has the id, total, max and manual-grading columns, the late-penalty
    columns, then one column per cell;
    with written answers still to grade it is written all the same, but the command exits 1
    and says how many answers of how many students, and where to grade them."""
    out = tmp_path / "grades.csv"
    args = ["--course", str(graded_course), "--assignment", "xor_mlp", "--to", str(out)]
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code == 1, result.output
    assert f"5 students → {out}" in result.output
    assert "9 written answers of 3 students await manual grading" in result.output
    assert "`jupyter lab` → Nbgrader → Formgrader → Manual Grading" in result.output
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, {r["student_id"]: r for r in reader}
    assert header[:4] == ["student_id", "score", "max_score", "needs_manual_grading"]
    assert header[4:7] == ["raw_score", "late_submission_penalty", "hours_late"]
    assert set(header[7:]) == set(GRADED_CELLS) | {"q-linear", "q-loops", "q-symmetry"}
    assert set(rows) == {*STUDENTS, CRASHING, UNREADABLE}
    assert rows[UNREADABLE]["score"] == "0"
    ada, cy = rows["ada_correct"], rows["cy_sigma_not_derivative"]
    assert (ada["score"], ada["max_score"], ada["needs_manual_grading"]) == ("20", "26", "yes")
    assert ada["test_backward"] == "4" and cy["test_backward"] == "0"
    assert (ada["raw_score"], ada["late_submission_penalty"], ada["hours_late"]) == ("20", "0", "0")
    assert ada["q-linear"] == ""  # awaiting a person, not zero


def test_export_without_gradebook_says_to_grade(tmp_path):
    """Exporting a course never graded exits 2, says to run `xorkit grade` and writes nothing."""
    new_course(tmp_path)
    (tmp_path / "submitted" / "ada" / "xor_mlp").mkdir(parents=True)
    result = CliRunner().invoke(main, ["export", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "run `xorkit grade` first" in result.output
    assert not (tmp_path / "grades.csv").exists() and not (tmp_path / "gradebook.db").exists()


# ------------------------------------------------------------------ LMS layouts
#
# Each reader below does what the LMS's importer does with a file, rule for rule,
# so that a layout is tested against the importer and not against itself:
# Canvas: lib/gradebook_importer.rb (instructure/canvas-lms); Moodle: the
# assignment's worksheet upload, mod/assign/feedback/offline/importgradeslib.php,
# and the gradebook's CSV import, grade/import/csv (moodle/moodle).

# NON_ASSIGNMENT_COLUMN_HEADERS: the totals Canvas's own export adds, which its import drops
CANVAS_TOTALS = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade"
    "|Override Score|Override Grade|Override Status"
)


def canvas_reads(path) -> tuple[list[tuple[str, str | None]], dict, dict]:
    """What Canvas's importer makes of a file: the assignments of its header as
    (title, id), their points possible, and each student row's grade under the
    id Canvas would match it on (("id", …), ("sis_user_id", …) or ("sis_login_id", …))."""
    with open(path, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    # header? / row_has_student_headers? / update_column_count
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    columns, sis_user, sis_login = 3, None, None
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        sis_login, columns = 2, 4
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        sis_user, sis_login, columns = 2, 3, 5
    assert "Section" in header[columns - 1], "Canvas rejects the header: no Section column"
    # strip_non_assignment_columns, then Assignment.title_and_id
    indices = [i for i in range(columns, len(header)) if not CANVAS_TOTALS.search(header[i])]
    titles = []
    for i in indices:
        found = re.fullmatch(r"(.*)\s\((\d+)\)", header[i])
        titles.append((found[1], found[2]) if found else (header[i], None))
    points, grades = {}, {}
    for row in rows:
        if "Points Possible" in row[0]:  # check_for_non_student_row
            points = {titles[k]: row[i] for k, i in enumerate(indices)}
            continue
        key = None
        if row[1].strip():  # process_student: ID, then SIS User ID, then SIS Login ID
            key = ("id", row[1])
        elif sis_user is not None and row[sis_user]:
            key = ("sis_user_id", row[sis_user])
        elif sis_login is not None and row[sis_login]:
            key = ("sis_login_id", row[sis_login])
        assert key is not None and not row[0], "a row Canvas could only match by name"
        grades[key] = {titles[k]: row[i].strip() for k, i in enumerate(indices)}
    return titles, points, grades


def moodle_worksheet_reads(path) -> dict[str, tuple[str, int]]:
    """What Moodle's grading-worksheet upload makes of a file: participant number ->
    (grade, last modified as a Unix time), or an AssertionError where it refuses it."""
    with open(path, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    # init(): the three columns it needs, found by their (English) names
    grade, ident, modified = (
        header.index(n) for n in ("Grade", "Identifier", "Last modified (grade)")
    )
    read = {}
    for row in rows:  # next(): the number after "Participant ", the grade, strtotime(modified)
        number = row[ident][len("Participant ") :]
        when = datetime.datetime.fromisoformat(row[modified])
        read[number] = (row[grade], int(when.timestamp()))
    return read


def outcome(student, score=20.0, penalty=0.0, pending=False):
    cells = [results.CellOutcome("test_backward", score, 20.0)]
    cells.append(results.CellOutcome("q-linear", None if pending else 2.0, 2.0))
    late = 3600.0 if penalty else 0.0
    return results.StudentOutcome(student, score, 26.0, cells, seconds_late=late, penalty=penalty)


HOSTILE = ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\tx", "a\x1bb"]
CLASS = [
    outcome("12345", 20, penalty=3),
    outcome("67890", 17.5),
    outcome("24680", pending=True),
    outcome("smithjane"),
    *(outcome(h) for h in HOSTILE),
]


def _cells(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _write(tmp_path, sheet):
    path = tmp_path / "import.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(sheet.rows)
    return path


def test_canvas_layout_is_what_canvas_imports(tmp_path):
    """Canvas reads the identity columns, the assignment by its id, its points possible
    from the row under the header, and each final score (after the late penalty)
    under the student's Canvas user id; the name column stays empty."""
    sheet = export.sheet(CLASS, "canvas", "XOR MLP (4567)")
    assert sheet.rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "XOR MLP (4567)",
    ]
    assert sheet.rows[1] == ["    Points Possible", "", "", "", "", "26"]
    titles, points, grades = canvas_reads(_write(tmp_path, sheet))
    assert titles == [("XOR MLP", "4567")]
    assert points == {("XOR MLP", "4567"): "26"}
    assert grades == {
        ("id", "12345"): {("XOR MLP", "4567"): "17"},
        ("id", "67890"): {("XOR MLP", "4567"): "17.5"},
    }


def test_canvas_leaves_out_what_it_cannot_import_as_it_is(tmp_path):
    """A student whose written answers await a person is not in the file, nor is one
    whose id is not a Canvas user id (a hostile one included): each is listed with why,
    and no cell of the file starts as a spreadsheet formula."""
    sheet = export.sheet(CLASS, "canvas", "xor_mlp")
    assert sheet.students == ["12345", "67890"]
    assert set(sheet.left_out) == {"smithjane", *HOSTILE}
    assert all("not a Canvas user id" in why for why in sheet.left_out.values())
    assert not any(
        c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in _cells(_write(tmp_path, sheet))
    )


def test_canvas_matches_sis_ids_when_told_to(tmp_path):
    """With --id-field sis-login-id the kit's ids go in SIS Login ID (Canvas matches it
    when ID is empty); ids that start as a formula or hold control characters are left out."""
    sheet = export.sheet(CLASS, "canvas", "xor_mlp", "sis-login-id")
    _, _, grades = canvas_reads(_write(tmp_path, sheet))
    assert set(grades) == {("sis_login_id", s) for s in ("12345", "67890", "smithjane")}
    assert set(sheet.left_out) == set(HOSTILE)


def test_canvas_refuses_a_column_it_would_drop():
    """An assignment column Canvas would read as one of its totals, or as an identity
    column, is refused with the reason."""
    with pytest.raises(ValueError, match="Final Score"):
        export.sheet(CLASS, "canvas", "Final Score bonus")
    with pytest.raises(ValueError, match="cannot read"):
        export.sheet(CLASS, "canvas", "Section")


def test_moodle_worksheet_is_what_the_assignment_upload_reads(tmp_path):
    """The grading worksheet has the Identifier, Grade and Last modified (grade)
    columns Moodle's upload needs: each participant number gets its final grade, and
    the export's time, so that a grade changed in Moodle later is not overwritten."""
    before = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    sheet = export.sheet(CLASS, "moodle", "xor_mlp")
    read = moodle_worksheet_reads(_write(tmp_path, sheet))
    assert {k: grade for k, (grade, _) in read.items()} == {"12345": "17", "67890": "17.5"}
    assert all(when >= before - 1 for _, when in read.values())
    assert sheet.rows[1][0] == "Participant 12345"
    assert sheet.rows[0][3:] == ["Maximum grade", "Late penalty"]  # ignored by the upload
    assert sheet.rows[1][3:] == ["26", "3"]
    assert set(sheet.left_out) == {"smithjane", *HOSTILE}


def test_moodle_gradebook_import_maps_a_user_field(tmp_path):
    """With --id-field username (email, idnumber) the file is the gradebook's CSV import:
    the user field's column to map from, then the assignment's grade item; participant
    numbers never go there, and hostile ids are left out."""
    sheet = export.sheet(CLASS, "moodle", "XOR MLP", "username")
    assert sheet.rows[0] == ["Username", "XOR MLP"]
    assert sheet.rows[1:] == [["12345", "17"], ["67890", "17.5"], ["smithjane", "20"]]
    assert set(sheet.left_out) == set(HOSTILE)
    assert export.sheet(CLASS, "moodle", "x", "email").rows[0][0] == "Email address"
    assert export.sheet(CLASS, "moodle", "x", "idnumber").rows[0][0] == "ID number"
    with pytest.raises(ValueError, match="not one of moodle's"):
        export.sheet(CLASS, "moodle", "x", "sis-login-id")


def test_plain_layout_keeps_every_student_with_ids_neutralised():
    """The plain CSV keeps every student, hostile ids with OWASP's leading quote, and
    the final score beside the raw score and the penalty."""
    _, table = export.rows(CLASS)
    ids = [r["student_id"] for r in table]
    assert len(ids) == len(CLASS) and '\'=HYPERLINK("http://x")' in ids
    assert not any(i[:1] in ("=", "+", "-", "@", "\t", "\r") for i in ids)
    late = table[0]
    assert (late["student_id"], late["score"], late["raw_score"]) == ("12345", "17", "20")
    assert (late["late_submission_penalty"], late["hours_late"]) == ("3", "1")


@pytest.mark.slow
def test_export_for_canvas_and_moodle_from_the_cli(graded_course, tmp_path):
    """`--lms canvas` on the example class (ids that are not Canvas user ids, written
    answers still to grade) writes the header and points rows only, lists the students
    left out and exits 1; with --id-field sis-login-id the finished students are in;
    `--lms moodle` writes its own file beside the plain one by default."""
    course = shutil.copytree(graded_course, tmp_path / "course")
    result = CliRunner().invoke(main, ["export", "--course", str(course), "--lms", "canvas"])
    assert result.exit_code == 1, result.output
    out = course / "grades" / "xor_mlp-canvas.csv"
    assert f"xor_mlp: 0 students → {out}" in result.output
    # the course's other assignment, submitted but not graded, is named and skipped
    assert "xor_bias_bce: not exported: no graded submission of xor_bias_bce" in result.output
    assert f"left out {CRASHING}: not a Canvas user id" in result.output
    assert (
        "9 written answers of 3 students await manual grading: those students are left out"
        in result.output
    )
    assert len(list(csv.reader(out.open()))) == 2

    args = ["export", "--course", str(course), "--lms", "canvas", "--id-field", "sis-login-id"]
    args += ["--assignment", "xor_mlp", "--lms-assignment", "XOR MLP (4567)"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "\n  left out " not in result.output
    _, points, grades = canvas_reads(out)
    assert points == {("XOR MLP", "4567"): "26"}
    column = ("XOR MLP", "4567")
    assert grades == {
        ("sis_login_id", CRASHING): {column: "18"},
        ("sis_login_id", UNREADABLE): {column: "0"},
    }

    result = CliRunner().invoke(
        main,
        [
            *("export", "--course", str(course), "--assignment", "xor_mlp"),
            *("--lms", "moodle", "--id-field", "username"),
        ],
    )
    assert result.exit_code == 1
    moodle = (course / "grades" / "xor_mlp-moodle.csv").read_text().splitlines()
    assert moodle == ["Username,xor_mlp", f"{UNREADABLE},0", f"{CRASHING},18"]
    assert not (course / "grades" / "xor_mlp.csv").exists()


def test_lms_options_that_do_not_fit_are_usage_errors(tmp_path):
    """An id Canvas does not import on, or --id-field without an LMS, exits 2 with the
    reason before the gradebook is read; one column name cannot serve two assignments."""
    import click

    from autograder.commands.export import _columns

    course = new_course(tmp_path)
    runs = [
        (["--lms", "canvas", "--id-field", "username"], "not an id Canvas imports on: id, sis-"),
        (["--id-field", "id"], "--id-field is for an LMS's layout"),
    ]
    for args, message in runs:
        result = CliRunner().invoke(main, ["export", "--course", str(course), *args])
        assert result.exit_code == 2 and message in result.output, result.output
    with pytest.raises(click.UsageError, match="names one assignment's column"):
        _columns("XOR (1)", ["a", "b"])
    assert _columns("{assignment} (1)", ["a", "b"]) == {"a": "a (1)", "b": "b (1)"}
