"""`xorkit collect`: an LMS download filed under submitted/, unmatched files reported."""

import re
import shutil
import zipfile

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.course.collecting import PATTERNS
from tests.helpers import REPO, new_course

ADA = REPO / "submitted" / "ada_correct" / "xor_mlp" / "xor_mlp.ipynb"
BO = REPO / "submitted" / "bo_blank" / "xor_mlp" / "xor_mlp.ipynb"

# A Canvas download: name_userid_submissionid_filename, late and resubmitted variants.
CANVAS_ZIP = {
    "smithjane_12345_67890_xor_mlp.ipynb": ADA,
    "doejohn_LATE_222_333_xor_mlp-1.ipynb": BO,
    "xor_mlp.ipynb": BO,  # no student in the name
    "leekim_444_555_scratch.ipynb": BO,  # a student's notebook of another name
    "leekim_444_555_notes.txt": None,
}


# The course has two assignments, and a download is for one: collect is told which.
COLLECT = ["collect", "--assignment", "xor_mlp"]


def _course(tmp_path):
    course = new_course(tmp_path / "course")
    shutil.copytree(REPO / "release", course / "release")
    return course


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, source in members.items():
            zf.writestr(name, source.read_bytes() if source else b"notes")
    return path


@pytest.mark.slow
def test_canvas_zip_fills_submitted_and_lists_the_rest(tmp_path):
    """Matching notebooks land in submitted/<user id>/xor_mlp/; the others are listed, exit 1."""
    course = _course(tmp_path)
    download = _zip(tmp_path / "submissions.zip", CANVAS_ZIP)
    result = CliRunner().invoke(main, [*COLLECT, "--course", str(course), str(download)])
    assert result.exit_code == 1, result.output
    assert "2 submissions collected" in result.output
    assert "12345 (smithjane)" in result.output
    got = course / "submitted" / "12345" / "xor_mlp" / "xor_mlp.ipynb"
    assert got.read_bytes() == ADA.read_bytes()
    assert (
        course / "submitted" / "222" / "xor_mlp" / "xor_mlp.ipynb"
    ).read_bytes() == BO.read_bytes()
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["12345", "222"]
    assert "3 files not collected" in result.output
    assert "submissions/xor_mlp.ipynb: the file name matches no student" in result.output
    assert "scratch.ipynb is not in the release" in result.output
    assert "leekim_444_555_notes.txt: not a notebook" in result.output

    # collecting again would overwrite: refused without --force, with the way out
    again = CliRunner().invoke(main, [*COLLECT, "--course", str(course), str(download)])
    assert again.exit_code == 2
    assert "--force" in again.output
    forced = CliRunner().invoke(main, [*COLLECT, "--force", "--course", str(course), str(download)])
    assert forced.exit_code == 1 and "2 submissions collected" in forced.output


@pytest.mark.slow
def test_moodle_folder_download_collects_everything(tmp_path):
    """A Moodle download whose every file matches is collected with exit 0 and a next step."""
    course = _course(tmp_path)
    folder = tmp_path / "moodle"
    folder.mkdir()
    shutil.copy(ADA, folder / "Jane Smith_12345_assignsubmission_file_xor_mlp.ipynb")
    result = CliRunner().invoke(
        main, [*COLLECT, "--lms", "moodle", "--course", str(course), str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "1 submissions collected" in result.output and "next: xorkit grade" in result.output
    assert (course / "submitted" / "12345" / "xor_mlp" / "xor_mlp.ipynb").exists()


@pytest.mark.parametrize(
    ("lms", "name", "student"),
    [
        ("canvas", "smithjane_12345_67890_xor_mlp.ipynb", "12345"),
        ("canvas", "smithjane_LATE_12345_67890_xor_mlp-2.ipynb", "12345"),
        ("canvas", "de_la_cruz_ana_7_8_xor_mlp.ipynb", "7"),
        ("moodle", "Jane Smith_12345_assignsubmission_file_xor_mlp.ipynb", "12345"),
        ("moodle", "Jane Smith_12345_assignsubmission_file_/xor_mlp.ipynb", "12345"),
    ],
)
def test_lms_patterns_find_user_id_and_notebook(lms, name, student):
    """Each LMS pattern reads the user id and the notebook name (without an LMS suffix)."""
    match = re.match(PATTERNS[lms], f"/course/downloaded/xor_mlp/extracted/dl/{name}")
    assert match and match["student_id"] == student and match["file_id"] == "xor_mlp"


def test_collect_before_build_says_to_build(tmp_path):
    """Collecting into a course without a release exits 2 and says to run `xorkit build`."""
    download = _zip(tmp_path / "dl.zip", {"a_1_2_xor_mlp.ipynb": ADA})
    course = new_course(tmp_path / "course")
    result = CliRunner().invoke(main, [*COLLECT, "--course", str(course), str(download)])
    assert result.exit_code == 2
    assert "xorkit build" in result.output


def test_pattern_without_student_group_is_refused(tmp_path):
    """A --pattern lacking the student_id group exits 2 and names the groups it needs."""
    course = _course(tmp_path)
    download = _zip(tmp_path / "dl.zip", {"a_1_2_xor_mlp.ipynb": ADA})
    result = CliRunner().invoke(
        main, [*COLLECT, "--course", str(course), "--pattern", ".*", str(download)]
    )
    assert result.exit_code == 2
    assert "(?P<student_id>" in result.output


def _hostile_zip(path):
    """A Canvas download holding one honest notebook and every kind of bad entry."""
    import io
    import stat

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("victim_999_1_xor_mlp.ipynb", BO.read_bytes())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("smithjane_12345_67890_xor_mlp.ipynb", ADA.read_bytes())
        zf.writestr("../../escaped_1_2_xor_mlp.ipynb", BO.read_bytes())
        zf.writestr("/abs_3_4_xor_mlp.ipynb", BO.read_bytes())
        link = zipfile.ZipInfo("linker_5_6_xor_mlp.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("bomb_7_8_xor_mlp.ipynb", b"0" * (50 << 20))
        zf.writestr("mallory_11_12_homework.zip", inner.getvalue())
        zf.writestr("mallory_11_12_folder/victim_999_1_xor_mlp.ipynb", BO.read_bytes())
        zf.writestr("arabic_\u0661\u0662_13_xor_mlp.ipynb", BO.read_bytes())
        zf.writestr("twin_14_15_xor_mlp.ipynb", BO.read_bytes())
        zf.writestr("TWIN_14_15_xor_mlp.ipynb", ADA.read_bytes())
        zf.writestr("x" * 300 + "_16_17_xor_mlp.ipynb", BO.read_bytes())
        zf.writestr("fake_18_19_data.zip", b"not a zip at all")
    return path


@pytest.mark.slow
def test_a_hostile_download_collects_the_honest_and_lists_the_rest(tmp_path):
    """Zip slip, links, a zip bomb, archives and folders inside the download,
    non-ASCII digits, twins and over-long names never stop the collect and never
    file anyone's work as someone else's: each is listed with its reason, in the
    output and in the collect report."""
    course = _course(tmp_path)
    download = _hostile_zip(tmp_path / "submissions.zip")
    result = CliRunner().invoke(main, [*COLLECT, "--course", str(course), str(download)])
    assert result.exit_code == 1, result.output
    students = sorted(p.name for p in (course / "submitted").iterdir())
    assert students == ["12345", "14"], students
    twin = course / "submitted" / "14" / "xor_mlp" / "xor_mlp.ipynb"
    assert twin.read_bytes() == BO.read_bytes()  # the first of the twins
    report = (course / "downloaded" / "xor_mlp" / "collect-report.txt").read_text()
    for reason in [
        "its path leaves the download folder",
        "it is a link or a special file",
        "expands more than 200 times",
        "mallory_11_12_homework.zip: not a notebook",
        "a folder of the student's own",
        "is not plain ASCII",
        "another entry has the same name",
        "its name is too long",
        "fake_18_19_data.zip: not a notebook",
    ]:
        assert reason in result.output, reason
        assert reason.replace("'", "") in report.replace("'", ""), reason
    assert not (tmp_path / "escaped_1_2_xor_mlp.ipynb").exists()
    assert not list(tmp_path.rglob("*victim*"))
    assert "\x1b" not in result.output
