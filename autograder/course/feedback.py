"""Per-student HTML feedback from the autograded notebooks (nbgrader generate_feedback).

nbgrader's feedback shows every cell's source, and autograde has put the hidden
tests back into the test cells; the feedback here runs nbgrader's own
preprocessors plus ``HideHiddenTestSource``, so a student sees what each hidden
check said (``show_hidden_messages``) but never its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from autograder.course import results
from autograder.engine import grading
from autograder.engine.nbgrader_run import stream_nbgrader
from autograder.progress import progress

# No script runs in a feedback page: the maths is MathML written at build time
# (``RenderMath``), so MathJax (and its download) is not needed either.
NO_SCRIPT = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:\">"
)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)


def make_inert(page: Path) -> None:
    """Drop the page's scripts (nbconvert's MathJax loader) and forbid any other:
    the page then needs no network and runs nothing a student wrote."""
    text = SCRIPT.sub("", page.read_text(encoding="utf-8"))
    text = text.replace("<head>", "<head>\n" + NO_SCRIPT, 1)
    page.write_text(text, encoding="utf-8")


@dataclass
class Feedback:
    """The HTML written per student, and the students it could not (yet) serve well."""

    written: dict[str, Path] = field(default_factory=dict)
    not_graded: list[str] = field(default_factory=list)
    manual_pending: list[str] = field(default_factory=list)


def preprocessors(show_hidden_messages: bool) -> list[str]:
    """The declared list of transforms, nbgrader's defaults around the kit's.
    ``InertStudentContent`` shows the student's HTML, markdown and JavaScript
    as text: feedback pages are opened by students and instructors alike."""
    return [
        "nbgrader.preprocessors.GetGrades",
        "autograder.engine.preprocessors.HideHiddenTestSource",
        "autograder.engine.preprocessors.InertStudentContent",
        "autograder.engine.preprocessors.RenderMath",
        *([] if show_hidden_messages else ["autograder.engine.preprocessors.DropHiddenMessages"]),
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]


def feedback(
    root: Path,
    assignment: str,
    show_hidden_messages: bool = True,
    student: str | None = None,
) -> Feedback:
    """Write ``feedback/<student>/<assignment>/*.html`` for every graded submission
    (or the students matching the glob ``student``)."""
    wanted = lambda s: not student or fnmatch(s, student)  # noqa: E731
    submitted = [s for s in grading.submissions(root, assignment) if wanted(s)]
    graded = {p.parent.parent.name for p in (root / "autograded").glob(f"*/{assignment}/*.ipynb")}
    if not graded:
        raise FileNotFoundError(
            f"nothing graded in {root / 'autograded'}: run `xorkit grade` first"
        )
    args = ["generate_feedback", assignment, "--force"]
    args += [f"--GenerateFeedback.preprocessors={pp}" for pp in preprocessors(show_hidden_messages)]
    if student:
        args.append(f"--student={student}")
    todo = [s for s in sorted(graded) if wanted(s)]
    with progress(total=len(todo), desc="feedback") as bar:
        stream_nbgrader(root, *args, on_line=lambda line: bar.update("Writing" in line))
    out = Feedback(not_graded=[s for s in submitted if s not in graded])
    for s in todo:
        for html in sorted((root / "feedback" / s / assignment).glob("*.html")):
            make_inert(html)
            out.written[s] = html.relative_to(root)
    pending = {o.student for o in results.collect(root, assignment) if o.manual_pending}
    out.manual_pending = sorted(pending & set(todo))
    return out
