"""A graded class shared by the feedback, export and report tests.

Grading real notebooks takes seconds each, so one course is graded once per
session: three students of the bundled example class, one whose notebook
crashes with an error other than an unfinished function, and one whose file is
not a notebook at all.
"""

import shutil

import pytest

from autograder import build, grading
from tests.helpers import REPO, new_course, release_with, solved_sources, submit

STUDENTS = ["ada_correct", "cy_sigma_not_derivative", "gus_half_done"]
CRASHING = "zed_name_error"
UNREADABLE = "yan_not_json"


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("graded-course"))
    build.release(course)
    for student in STUDENTS:
        shutil.copytree(REPO / "submitted" / student, course / "submitted" / student)
    code = solved_sources()
    code["sigmoid"] = code["sigmoid"].replace("np.exp(-x)", "np.exp(-x) * undefined_scale")
    assert "undefined_scale" in code["sigmoid"]
    submit(course, CRASHING, release_with(code))
    broken = course / "submitted" / UNREADABLE / "xor_mlp" / "xor_mlp.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')
    grading.autograde(course)
    return course
