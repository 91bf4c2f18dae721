"""Notebook transforms the feedback applies to an autograded notebook, nbgrader style.

nbgrader's autograde puts the hidden tests back into every test cell, and its
feedback shows each cell's source: without these transforms a student's HTML
would show the hidden checks' code.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A source line in an IPython traceback frame: "----> 12 code" or "     13 code".
FRAME_LINE = re.compile(r"^\s*(?:-*>\s*)?\d+\s?(?P<code>.*)$")
# Frames inside the kit's own files would show the checks or the reference.
KIT_FRAME = re.compile(r"[/\\](autograder|solutions)[/\\]")


def _hidden_lines(source: str, begin: str, end: str) -> set[str]:
    lines, inside = set(), False
    for line in source.split("\n"):
        if begin in line:
            inside = True
        if inside and line.strip():
            lines.add(line.strip())
        if end in line:
            inside = False
    return lines


def _scrub_frame(frame: str, hidden: set[str]) -> str | None:
    """A traceback frame without the lines of hidden code it quotes, or None
    when the frame lies in the kit's own files."""
    plain = ANSI.sub("", frame)
    if KIT_FRAME.search(plain.split("\n", 1)[0]):
        return None
    kept = []
    for coloured, line in zip(frame.split("\n"), plain.split("\n"), strict=True):
        match = FRAME_LINE.match(line)
        if match and match["code"].strip() in hidden:
            continue
        kept.append(coloured)
    return "\n".join(kept)


class HideHiddenTestSource(ClearHiddenTests):
    """Remove the hidden tests from each test cell's source and from the
    tracebacks quoting it; the cell's printed messages stay."""

    def preprocess_cell(self, cell, resources, cell_index):
        hidden = _hidden_lines(cell.source, self.begin_test_delimeter, self.end_test_delimeter)
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if hidden:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    frames = (_scrub_frame(f, hidden) for f in output.traceback)
                    output.traceback = [f for f in frames if f is not None]
        return cell, resources


class DropHiddenMessages(NbGraderPreprocessor):  # nbgrader's base: enabled by default
    """Remove the hidden checks' reports (outputs carrying the kit's results);
    the cell's score stays in the feedback's heading."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if "xorkit" not in o.get("metadata", {})]
        return cell, resources


# What a browser only shows: any other type (HTML, JavaScript, SVG, markdown,
# widgets) of a cell's output may carry a script.
INERT_TYPES = ("text/plain", "image/png", "image/jpeg", "image/gif")


class InertStudentContent(NbGraderPreprocessor):  # nbgrader's base: enabled by default
    """Make what a student wrote show as text in the feedback page: the raw HTML
    of every markdown cell that is not the instructor's (locked) is escaped, and
    every output keeps only types a browser displays without running anything;
    one with none of them shows its first type's content as text."""

    def preprocess_cell(self, cell, resources, cell_index):
        locked = cell.metadata.get("nbgrader", {}).get("locked")
        if cell.cell_type == "markdown" and not locked:
            cell.source = cell.source.replace("&", "&amp;").replace("<", "&lt;")
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data")
                if not isinstance(data, dict):
                    continue
                kept = {k: v for k, v in data.items() if k in INERT_TYPES}
                if not kept and data:
                    first = next(iter(data.values()))
                    kept = {"text/plain": first if isinstance(first, str) else str(first)}
                output["data"] = kept
        return cell, resources
