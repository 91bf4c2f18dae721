"""Notebook transforms the feedback applies to an autograded notebook, nbgrader style.

nbgrader's autograde puts the hidden tests back into every test cell, and its
feedback shows each cell's source: without these transforms a student's HTML
would show the hidden checks' code.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

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


# The MathML that renders maths: what latex2mathml writes, and nothing that can
# load or run anything (no href, no event attribute, no foreign element).
MATHML_ELEMENTS = {
    "math",
    "mrow",
    "mi",
    "mo",
    "mn",
    "mtext",
    "ms",
    "mspace",
    "msub",
    "msup",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "mfenced",
    "semantics",
    "annotation",
}
MATHML_ATTRIBUTES = {
    "xmlns",
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "width",
    "height",
    "depth",
    "accent",
    "accentunder",
    "movablelimits",
    "columnalign",
    "rowalign",
    "linethickness",
    "displaystyle",
    "scriptlevel",
    "form",
    "minsize",
    "maxsize",
    "symmetric",
    "largeop",
    "notation",
    "rowspacing",
    "columnspacing",
    "columnlines",
    "rowlines",
    "frame",
    "voffset",
    "open",
    "close",
    "separators",
    "encoding",
}
# $$display$$ first, then $inline$ (not $$, not an escaped \$, no newline inside)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]+?)(?<!\\)\$(?!\$)")
MATH_NS = "{http://www.w3.org/1998/Math/MathML}"


def to_mathml(latex: str, display: bool) -> str | None:
    """``latex`` as MathML a browser renders by itself, offline and without
    script; None when it cannot be converted, or the result is not plain MathML
    (it is parsed and written again, so nothing in it escapes its text)."""
    from latex2mathml.converter import convert  # loaded when feedback is written

    try:
        markup = convert(latex, display="block" if display else "inline")
        tree = ET.fromstring(markup)
    except Exception:  # unsupported LaTeX, or markup that is not well-formed XML
        return None
    for node in tree.iter():
        tag = node.tag.removeprefix(MATH_NS)
        if tag not in MATHML_ELEMENTS or any(a not in MATHML_ATTRIBUTES for a in node.attrib):
            return None
    ET.register_namespace("", MATH_NS[1:-1])
    return ET.tostring(tree, encoding="unicode")


def render_math(source: str) -> str:
    """Markdown with every $$…$$ and $…$ it can convert replaced by MathML; what
    it cannot convert stays as written."""

    def replace(display: bool):
        def one(match: re.Match) -> str:
            # a student's text arrives escaped (InertStudentContent): the LaTeX is
            # the unescaped text, and the MathML written again escapes it
            converted = to_mathml(html.unescape(match.group(1)), display)
            return converted if converted is not None else match.group(0)

        return one

    source = DISPLAY_MATH.sub(replace(True), source)
    return INLINE_MATH.sub(replace(False), source)


class RenderMath(NbGraderPreprocessor):  # nbgrader's base: enabled by default
    """Render the maths of every markdown cell as MathML when the feedback is
    written, so that it shows without MathJax: offline, and in a page where no
    script runs. Runs after ``InertStudentContent``, so a student's text is
    already escaped; the MathML is checked against an allow-list either way."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown":
            cell.source = render_math(cell.source)
        return cell, resources
