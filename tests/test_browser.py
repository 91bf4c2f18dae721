"""The notebooks in a real browser: JupyterLab driven by headless Chromium (Playwright).

A student opens the release, runs every cell and sees ``NotImplementedError``
exactly where a function is still a stub; the solved handout runs clean.
Screenshots and the server log go to ``$XORKIT_ARTIFACTS/browser/`` (default: a
folder under the system's temporary directory; the suite never writes in the checkout).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.helpers import BCE, DIGITS, RELEASE_NB, RELU, XOR, graded_cells, release_nb

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, installed by ./dev test
# Root in CI needs --no-sandbox; the rest keeps Chromium off the network and the GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
SOLUTION_NB = XOR.solutions() / f"{XOR.name}.ipynb"
BCE_RELEASE_NB = release_nb(BCE.name)
BCE_SOLUTION_NB = BCE.solutions() / f"{BCE.name}.ipynb"
DIGITS_RELEASE_NB = release_nb(DIGITS.name)
DIGITS_SOLUTION_NB = DIGITS.solutions() / f"{DIGITS.name}.ipynb"
ARTIFACTS = (
    Path(os.environ.get("XORKIT_ARTIFACTS") or Path(tempfile.gettempdir()) / "xorkit-artifacts")
    / "browser"
)
VIEWPORT = {"width": 1400, "height": 900}

# A quiet, predictable JupyterLab: no news or update pop-ups over the notebook,
# and every cell kept in the page (windowing detaches cells scrolled out of view).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

# JupyterLab and a kernel each start in about 5 s on the 2-core CI machine.
STARTUP_TIMEOUT_S = 90
# The solved notebook trains XOR twice and draws four plots: about 10 s;
# xor_bias_bce's also trains 192 networks at once: about 20 s.
RUN_TIMEOUT_S = 240

CELLS = ".jp-Notebook .jp-Cell"
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
KERNEL_INDICATOR = ".jp-Notebook-ExecutionIndicator"
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")
ERROR_NAME = re.compile(r"^(\w+(?:Error|Exception|Interrupt|Exit))\b", re.MULTILINE)


def calls_contract(contract) -> re.Pattern:
    """A call of one of the contract's functions."""
    return re.compile(r"\b(" + "|".join(contract.names) + r")\(")


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    proc: subprocess.Popen

    def link(self, relpath: str) -> str:
        """The notebook's address in a fresh workspace of its own, so JupyterLab does
        not reopen the tabs of an earlier test beside it."""
        workspace = relpath.replace("/", "-").removesuffix(".ipynb")
        return f"{self.url}/lab/workspaces/{workspace}/tree/{relpath}?reset&token={self.token}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(lab: Lab, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if lab.proc.poll() is not None:
            pytest.fail(f"jupyter lab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer in {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """`jupyter lab` on 127.0.0.1 with a token, serving copies of the release and the
    solved handout; kernels run this interpreter (the project's venv)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)")
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    for folder, notebook in [
        ("release", RELEASE_NB),
        ("solutions", SOLUTION_NB),
        ("release", BCE_RELEASE_NB),
        ("solutions", BCE_SOLUTION_NB),
        ("release", DIGITS_RELEASE_NB),
        ("solutions", DIGITS_SOLUTION_NB),
    ]:
        (root / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, root / folder / notebook.name)
    for name, values in LAB_SETTINGS.items():
        path = base / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # ./dev sets Agg; a student's kernel draws plots inline
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_CONFIG_DIR"] = str(base / "config")  # no personal Jupyter config
    env["JUPYTERLAB_SETTINGS_DIR"] = str(base / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(base / "workspaces")
    lab = Lab(f"http://127.0.0.1:{free_port()}", secrets.token_hex(16), root, None)
    log = base / "jupyter-lab.log"
    cmd = [
        *(sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root"),
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={lab.url.rsplit(':', 1)[1]}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={lab.token}",
        f"--ServerApp.root_dir={root}",
    ]
    with log.open("w") as out:
        lab.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_server(lab, log)
        yield lab
    finally:
        lab.proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            lab.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.proc.kill()
            lab.proc.wait()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTIFACTS / log.name)


@pytest.fixture(scope="module")
def browser(lab):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request) -> Iterator[Page]:
    """A fresh browser tab; its last state is saved as a screenshot, to see why a test failed."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / f"last-{request.node.name}.png")
    context.close()


def open_notebook(page: Page, lab: Lab, relpath: str) -> None:
    """Open a notebook and wait until its kernel is connected and idle (the status
    bar says so), so that Run All does not meet a kernel still starting."""
    page.goto(lab.link(relpath))
    timeout = STARTUP_TIMEOUT_S * 1000
    page.wait_for_selector(f'{KERNEL_INDICATOR}[data-status="idle"]', timeout=timeout)
    page.locator("#jp-main-statusbar", has_text=KERNEL_IDLE).wait_for(timeout=timeout)
    no_dialog(page)


def no_dialog(page: Page) -> None:
    """Fail with its text if JupyterLab put up a dialog (it would swallow the clicks)."""
    dialogs = page.locator(".jp-Dialog")
    if dialogs.count():
        pytest.fail(f"JupyterLab shows a dialog: {dialogs.first.inner_text()[:500]}")


def run_menu(page: Page, item: str) -> None:
    page.click('.lm-MenuBar-item:has-text("Run")')
    page.get_by_role("menuitem", name=item, exact=True).click()
    time.sleep(0.3)
    no_dialog(page)


def prompts(page: Page) -> list[str | None]:
    """Each cell's input prompt ("[3]:", "[*]:", "[ ]:"), None for a markdown cell."""
    return page.eval_on_selector_all(
        CELLS,
        "cells => cells.map(c => c.classList.contains('jp-CodeCell')"
        " ? c.querySelector('.jp-InputPrompt').innerText.trim() : null)",
    )


def wait_until_idle(page: Page) -> None:
    """Wait until no cell is queued or running and the kernel is idle."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    time.sleep(0.5)  # let the run start before looking for its end
    while time.monotonic() < deadline:
        busy = any(p and "*" in p for p in prompts(page))
        if not busy and page.get_attribute(KERNEL_INDICATOR, "data-status") == "idle":
            return
        time.sleep(0.5)
    pytest.fail(f"the notebook was still running after {RUN_TIMEOUT_S} s")


def select_cell(page: Page, index: int) -> None:
    """Make a cell the active one by clicking its prompt, checking the click landed
    (outputs that are still being laid out can move the cell under the pointer)."""
    cell = page.locator(CELLS).nth(index)
    for _ in range(5):
        no_dialog(page)
        cell.evaluate("e => e.scrollIntoView({block: 'center'})")
        time.sleep(0.2)
        cell.locator(".jp-InputPrompt").click()
        if "jp-mod-active" in (cell.get_attribute("class") or ""):
            return
    pytest.fail(f"could not select cell {index}")


def run_every_cell(page: Page) -> int:
    """Run All Cells; JupyterLab stops at the first error, so go on as a student
    would, with Run Selected Cell and All Below from the next cell not yet run.
    Returns the number of runs that took."""
    run_menu(page, "Run All Cells")
    wait_until_idle(page)
    runs = 1
    while True:
        pending = [i for i, p in enumerate(prompts(page)) if p == "[ ]:"]
        if not pending:
            return runs
        assert runs <= len(prompts(page)), "Run Selected Cell and All Below made no progress"
        select_cell(page, pending[0])
        run_menu(page, "Run Selected Cell and All Below")
        wait_until_idle(page)
        runs += 1


def save(page: Page, path: Path) -> nbformat.NotebookNode:
    """Ctrl+S, then the notebook as JupyterLab wrote it to disk."""
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if all(c.execution_count is not None for c in code):
            return nb
        time.sleep(0.5)
    pytest.fail(f"{path.name} was not saved with its outputs")


def saved_errors(nb: nbformat.NotebookNode) -> dict[int, list[str]]:
    """Cell index → the errors in its saved outputs (exception names, or "stderr")."""
    errors = {}
    for index, cell in enumerate(nb.cells):
        names = [
            o.ename if o.output_type == "error" else "stderr"
            for o in cell.get("outputs", [])
            if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
        ]
        if names:
            errors[index] = names
    return errors


def shown_errors(page: Page) -> dict[int, list[str]]:
    """Cell index → the error each red stderr box on the page names."""
    texts = page.eval_on_selector_all(
        CELLS,
        f"cells => cells.map(c => Array.from(c.querySelectorAll('{STDERR_OUTPUT}'))"
        ".map(o => o.innerText))",
    )
    errors = {}
    for index, boxes in enumerate(texts):
        if boxes:
            errors[index] = [
                m.group(1) if (m := ERROR_NAME.search(text)) else f"stderr: {text[:80]}"
                for text in boxes
            ]
    return errors


def screenshot(page: Page, cell: int, name: str) -> Path:
    """A screenshot with the given cell at the top of the notebook panel."""
    page.locator(CELLS).nth(cell).evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.3)  # let MathJax and images settle after the scroll
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=path)
    return path


def kernel_interpreters(server_pid: int) -> list[str]:
    """The interpreters of the kernels the server started (its ipykernel children)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == server_pid and any(b"ipykernel" in arg for arg in argv):
            found.append(argv[0].decode())
    return found


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def release_fails_only_where_functions_are_unwritten(
    lab, page, contract, first: str = "test_sigmoid"
) -> None:
    name = contract.name
    tag = "" if contract is XOR else f"{name}-"  # xor_mlp's screenshots keep their names
    open_notebook(page, lab, f"release/{name}.ipynb")
    run_every_cell(page)
    # every kernel the server started (one per notebook opened so far) runs this interpreter
    assert set(kernel_interpreters(lab.proc.pid)) == {sys.executable}
    nb = save(page, lab.root / "release" / f"{name}.ipynb")
    calling = {
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and not c.metadata.get("nbgrader", {}).get("solution")
        and calls_contract(contract).search(c.source)
    }
    assert len(calling) >= len(graded_cells(contract))
    expected = {i: ["NotImplementedError"] for i in calling}
    assert saved_errors(nb) == expected
    assert shown_errors(page) == expected
    screenshot(page, cell_index(nb, first) - 1, f"release-{tag}{first}.png")
    screenshot(page, cell_index(nb, "test_backward") - 1, f"release-{tag}test_backward.png")


@pytest.mark.slow
def test_release_fails_only_where_functions_are_unwritten(lab, page):
    """Running the whole release in JupyterLab shows NotImplementedError in exactly
    the cells that call a stub, and no other error anywhere (no NameError cascade)."""
    release_fails_only_where_functions_are_unwritten(lab, page, XOR)


@pytest.mark.slow
def test_bias_bce_release_fails_only_where_functions_are_unwritten(lab, page):
    """Running xor_bias_bce's whole release in JupyterLab shows NotImplementedError in
    exactly the cells that call a stub, and no other error anywhere."""
    release_fails_only_where_functions_are_unwritten(lab, page, BCE)


def solution_notebook_runs_clean(lab, page, contract, plots: int, last: str) -> None:
    name = contract.name
    tag = "" if contract is XOR else f"{name}-"  # xor_mlp's screenshots keep their names
    open_notebook(page, lab, f"solutions/{name}.ipynb")
    run_menu(page, "Run All Cells")
    wait_until_idle(page)
    nb = save(page, lab.root / "solutions" / f"{name}.ipynb")
    assert saved_errors(nb) == {}
    assert shown_errors(page) == {}
    for grade_id in graded_cells(contract):
        cell = nb.cells[cell_index(nb, grade_id)]
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert f"{grade_id.removeprefix('test_')}: visible tests passed" in text
    assert page.locator(".jp-OutputArea-output img").count() >= plots
    screenshot(page, cell_index(nb, "test_backward") - 1, f"solution-{tag}test_backward.png")
    screenshot(page, cell_index(nb, last), f"solution-{tag}{last}.png")


@pytest.mark.slow
def test_solution_notebook_runs_clean(lab, page):
    """The solved handout runs top to bottom in JupyterLab: every test cell passes,
    no cell shows an error or writes to stderr, and the plots are drawn inline."""
    solution_notebook_runs_clean(lab, page, XOR, plots=4, last="boundary")


@pytest.mark.slow
def test_bias_bce_solution_notebook_runs_clean(lab, page):
    """xor_bias_bce's solved handout runs top to bottom in JupyterLab: every test cell
    passes, no cell shows an error or writes to stderr (the sigmoid never overflows),
    and its seven plots, the weight-scale sweep's among them, are drawn inline."""
    solution_notebook_runs_clean(lab, page, BCE, plots=7, last="scale-sweep")


@pytest.mark.slow
def test_digits_release_fails_only_where_functions_are_unwritten(lab, page):
    """Running digits_mlp's whole release in JupyterLab (scikit-learn's digits load,
    no download) shows NotImplementedError in exactly the cells that call a stub,
    and no other error anywhere: the evaluation and the sweep make what they use."""
    release_fails_only_where_functions_are_unwritten(lab, page, DIGITS, first="test_softmax")


@pytest.mark.slow
def test_digits_solution_notebook_runs_clean(lab, page):
    """digits_mlp's solved handout runs top to bottom in JupyterLab: every test cell
    passes, no cell shows an error or writes to stderr, and its five figures (the
    digits, the learning curves, the confusion matrix, the misclassified images and
    the sweep over H) are drawn inline."""
    solution_notebook_runs_clean(lab, page, DIGITS, plots=5, last="overfit-sweep")


SCRIPTED_OUTPUTS = (
    "\n\nfrom IPython.display import HTML, Javascript, display\n"
    "display(HTML(\"<script>alert('html')</script><img src=x onerror=\\\"alert('img')\\\">\"))\n"
    "display(Javascript(\"alert('js')\"))\n"
)


@pytest.mark.slow
def test_feedback_pages_are_inert(tmp_path, browser):
    """A student's HTML and JavaScript outputs and the HTML in their written
    answers never run in the feedback page: Chromium raises no alert."""
    from autograder.course import feedback
    from autograder.engine import grading
    from tests.helpers import built_course, finished_release, solved_sources, submit

    nb = finished_release()
    code = solved_sources()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "sigmoid":
            cell.source = code["sigmoid"] + SCRIPTED_OUTPUTS
        elif cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = (
                "<script>alert('markdown')</script><img src=x onerror=\"alert('md')\">"
                " $\\text{<img src=x onerror=alert('math')>}$ and $a < b$"
            )
    course = built_course(tmp_path / "course")
    submit(course, "mallory", nb)
    grading.autograde(course, "xor_mlp", jobs=1, sandbox="auto")
    page_path = course / feedback.feedback(course, "xor_mlp").written["mallory"]
    alerts: list[str] = []
    context = browser.new_context(viewport=VIEWPORT)
    try:
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        tab.goto(page_path.as_uri())
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(1500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=ARTIFACTS / "feedback-inert.png", full_page=True)
    finally:
        context.close()
    assert alerts == []
    assert "sigmoid" in page_path.read_text()


@pytest.mark.slow
def test_feedback_maths_renders_offline(graded_feedback_page, browser):
    """With the network off, the maths of a feedback page is drawn (MathML the
    browser renders itself: tall display formulas, no $…$ left in the prose), the
    page asks for nothing outside itself and has no script."""
    page_path = graded_feedback_page
    assert "<script" not in page_path.read_text()
    requests: list[str] = []
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    try:
        tab = context.new_page()
        tab.on("request", lambda request: requests.append(request.url))
        tab.goto(page_path.as_uri())
        tab.wait_for_load_state("load")
        heights = tab.eval_on_selector_all(
            "math[display=block]", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        prose = tab.eval_on_selector_all(
            ".jp-MarkdownOutput", "els => els.map(e => e.innerText).join('\\n')"
        )
        heading = tab.locator("text=Backpropagation").first
        heading.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=ARTIFACTS / "feedback-maths-offline.png")
    finally:
        context.close()
    assert len(heights) >= 10 and min(heights) > 10, heights
    assert "$$" not in prose and "\\frac" not in prose
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


@pytest.fixture(scope="module")
def graded_feedback_page(tmp_path_factory) -> Path:
    """The feedback page of a finished notebook, graded in a course of its own."""
    from autograder.course import feedback
    from autograder.engine import grading
    from tests.helpers import built_course, finished_release, submit

    course = built_course(tmp_path_factory.mktemp("feedback-maths") / "course")
    submit(course, "ada", finished_release())
    grading.autograde(course, "xor_mlp", jobs=1, sandbox="auto")
    return course / feedback.feedback(course, "xor_mlp").written["ada"]


# ------------------------------------------------------------------ xor_relu

RELU_RELEASE_NB = release_nb(RELU.name)
RELU_SOLUTION_NB = RELU.solutions() / f"{RELU.name}.ipynb"


@pytest.fixture(scope="module")
def relu_lab(lab) -> Lab:
    """The running JupyterLab, serving copies of xor_relu's release and solved handout too."""
    for folder, notebook in [("release", RELU_RELEASE_NB), ("solutions", RELU_SOLUTION_NB)]:
        shutil.copy(notebook, lab.root / folder / notebook.name)
    return lab


@pytest.mark.slow
def test_relu_release_fails_only_where_functions_are_unwritten(relu_lab, page):
    """Running xor_relu's whole release in JupyterLab shows NotImplementedError in
    exactly the cells that call a stub (the plots, the dead units and the JAX section
    among them), and no other error anywhere (no NameError cascade)."""
    open_notebook(page, relu_lab, f"release/{RELU.name}.ipynb")
    run_every_cell(page)
    assert set(kernel_interpreters(relu_lab.proc.pid)) == {sys.executable}
    nb = save(page, relu_lab.root / "release" / f"{RELU.name}.ipynb")
    calling = {
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and not c.metadata.get("nbgrader", {}).get("solution")
        and calls_contract(RELU).search(c.source)
    }
    assert len(calling) >= len(graded_cells(RELU))
    expected = {i: ["NotImplementedError"] for i in calling}
    assert saved_errors(nb) == expected
    assert shown_errors(page) == expected
    screenshot(page, cell_index(nb, "test_relu") - 1, f"release-{RELU.name}-test_relu.png")
    screenshot(page, cell_index(nb, "test_backward") - 1, f"release-{RELU.name}-test_backward.png")


@pytest.mark.slow
def test_relu_solution_notebook_runs_clean(relu_lab, page):
    """xor_relu's solved handout runs top to bottom in JupyterLab: every test cell
    passes, no cell shows an error or writes to stderr, and its plots are drawn
    inline: the activations, the loss, the learned surface in 3-D beside its decision
    boundary, the pre-activations through ten layers and three depths (five images,
    six with JAX's loss curves)."""
    solution_notebook_runs_clean(relu_lab, page, RELU, plots=5, last="surface")
