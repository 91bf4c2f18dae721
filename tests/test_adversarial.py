"""A batch of hostile submissions graded together with honest ones by `xorkit grade`.

Every submission must get a recorded outcome, honest ones full marks, hostile
ones only the points their code honestly earns, with a reason in the report;
nothing outside each submission's scratch space may change, and the hidden
checks' source never reaches what is written back for students.
"""

import contextlib
import hashlib
import json
import os
import socket
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest

from autograder.engine import grading, sandbox
from tests.helpers import GRADED_CELLS, REPO, release_with, solved_sources

FULL = 20.0
SOLVED = solved_sources()


def solved_with(**cells):
    """The solved release with some solution cells' code replaced or extended."""
    return release_with({**SOLVED, **cells})


def append(function, code):
    return {function: SOLVED[function] + "\n\n" + code}


def edit(nb, grade_id, change):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            change(cell)
    return nb


def drop(nb, grade_id):
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return nb


BROKEN_SIGMOID = "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n"
BROKEN_MSE = (
    "def mse(y_hat, y):\n    residual = y_hat - y\n"
    "    return residual, float(np.mean(residual**2))\n"
)
# dL_dw2 sized for three hidden units: right where the visible test looks (H = 3),
# wrong on the hidden checks' wider layers; the cell earns dL_dw1 and the error,
# 4 of its 6 weights.
BROKEN_BACKWARD = SOLVED["backward"].replace(
    "dL_dw2 = act_hidden.T @ dL_dy", "dL_dw2 = act_hidden[:, :3].T @ dL_dy"
)
assert SOLVED["backward"] != BROKEN_BACKWARD
BROKEN_BACKWARD_EARNS = round(4 * 4 / 6, 4)


def corpus(course: Path, port: int):
    """(student, notebook or raw bytes, expected points per cell, words expected in the notes)."""
    root = str(course)
    entries = [
        ("honest_reference", solved_with(), {}, []),
        ("honest_second", solved_with(), {}, []),
        ("infinite_loop", solved_with(**append("sigmoid", "while True:\n    pass")), {}, []),
        ("sys_exit", solved_with(**append("dense", "import sys\nsys.exit()")), {}, []),
        (
            "warning_on_stderr",
            solved_with(
                sigmoid="import warnings\n\n\ndef sigmoid(x):\n"
                + "    warnings.warn('exp may overflow', RuntimeWarning)\n"
                + "    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n"
            ),
            {},
            [],
        ),
        (
            "os_exit",
            solved_with(**append("mse", "import os\nos._exit(1)")),
            {
                c: 0
                for c in [
                    "test_mse",
                    "test_backward",
                    "test_backward_loops",
                    "test_train",
                    "test_predict",
                ]
            },
            ["kernel died", "exit status 1"],
        ),
        (
            "segfault",
            solved_with(**append("backward", "import ctypes\nctypes.string_at(0)")),
            {c: 0 for c in ["test_backward", "test_backward_loops", "test_train", "test_predict"]},
            ["segmentation fault"],
        ),
        (
            "allocate_50gb",
            solved_with(**append("initialize_weights", "big = np.ones((50_000, 1_000_000))")),
            {},
            [],
        ),
        ("print_200mb", solved_with(**append("dense", 'print("x" * 200_000_000)')), {}, []),
        (
            "deleted_test_cell",
            drop(solved_with(), "test_dense"),
            {"test_dense": 0},
            ["test_dense is missing"],
        ),
        (
            "duplicated_graded_cell",
            _duplicate(solved_with(), "test_sigmoid"),
            {},
            [],
        ),
        (
            "renamed_grade_id",
            edit(
                solved_with(),
                "test_mse",
                lambda c: c.metadata.nbgrader.update(grade_id="test_mine"),
            ),
            {"test_mse": 0},
            ["test_mse is missing"],
        ),
        (
            "points_raised",
            edit(solved_with(), "test_predict", lambda c: c.metadata.nbgrader.update(points=100)),
            {},
            [],
        ),
        (
            "test_cell_pass",
            edit(
                solved_with(
                    predict="def predict(X, w1, w2):\n    return forward_pass(X, w1, w2)[1]\n"
                ),
                "test_predict",
                lambda c: setattr(c, "source", "pass"),
            ),
            {"test_predict": 0},
            [],
        ),
        (
            "hidden_markers_in_answer",
            solved_with(
                sigmoid=BROKEN_SIGMOID
                + "\n### BEGIN HIDDEN TESTS\nfrom autograder import grade\n"
                + 'grade("xor_mlp", "sigmoid", globals())\n### END HIDDEN TESTS\n'
            ),
            {"test_sigmoid": 0},
            [],
        ),
        (
            "patch_numpy_allclose",
            solved_with(
                sigmoid=BROKEN_SIGMOID
                + "\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
            ),
            {"test_sigmoid": 0},
            [],
        ),
        (
            "patch_numpy_testing",
            solved_with(
                mse=BROKEN_MSE
                + "\nimport numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None\n"
                + "np.isclose = lambda *a, **k: True\n"
            ),
            # the visible assert runs in the grader, with the grader's numpy: it
            # fails as it does for an honest submission with this mse
            {"test_mse": 0},
            [],
        ),
        (
            "patch_builtins",
            solved_with(
                backward=BROKEN_BACKWARD
                + "\nimport builtins\nbuiltins.abs = lambda x: 0\n"
                + "builtins.max = lambda *a, **k: 0\n"
                + "builtins.repr = lambda x: '0'\n"
                + "builtins.AssertionError = type('Ok', (Exception,), {})\n"
            ),
            {"test_backward": BROKEN_BACKWARD_EARNS, "test_backward_loops": 2.0},
            [],
        ),
        (
            "patch_check_module",
            solved_with(
                backward=BROKEN_BACKWARD
                + "\nimport sys, types\nfake = types.ModuleType('autograder')\n"
                + "fake.grade = lambda *a, **k: 100.0\nsys.modules['autograder'] = fake\n"
                + "try:\n    import autograder.checking.runner as r\n"
                + "    r.score = lambda *a, **k: 100.0\n"
                + "except Exception as exc:\n    print('patch failed:', type(exc).__name__)\n"
            ),
            {"test_backward": BROKEN_BACKWARD_EARNS},
            [],
        ),
        (
            "read_reference",
            solved_with(
                **append(
                    "predict",
                    "for path in ['"
                    + root
                    + "/solutions/xor_mlp/reference.py', '"
                    + str(REPO / "solutions/xor_mlp/reference.py")
                    + "', '../../../source/xor_mlp/xor_mlp.ipynb', '"
                    + str(REPO / "assignments/xor_mlp/checks/check_backward.py")
                    + "', '"
                    + root
                    + "/assignments/xor_mlp/checks/check_backward.py', '"
                    + root
                    + "/source/xor_mlp/xor_mlp.ipynb']:\n"
                    + "    try:\n        print(open(path).read())\n"
                    + "    except OSError as exc:\n        print('blocked', type(exc).__name__)\n",
                )
            ),
            {},
            [],
        ),
        (
            "write_gradebook",
            solved_with(
                **append(
                    "dense",
                    "for path in ['"
                    + root
                    + "/gradebook.db', '../../../gradebook.db', '"
                    + root
                    + "/source/xor_mlp/xor_mlp.ipynb', '"
                    + str(REPO / "solutions/xor_mlp/reference.py")
                    + "']:\n"
                    + "    try:\n        open(path, 'w').write('owned')\n"
                    + "    except OSError as exc:\n        print('blocked', type(exc).__name__)\n",
                )
            ),
            {},
            [],
        ),
        (
            "network_socket",
            solved_with(
                **append(
                    "dense",
                    "import socket\ntry:\n"
                    + f"    link = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                    + "    link.sendall(b'leak')\n"
                    + "except OSError as exc:\n    print('blocked', type(exc).__name__)\n",
                )
            ),
            {},
            [],
        ),
        (
            # every error silenced in the student's own shell: a test cell that
            # fails without an error output must still score zero
            "silence_errors",
            solved_with(
                sigmoid=BROKEN_SIGMOID
                + "\nip = get_ipython()\nip._showtraceback = lambda *a, **k: None\n"
                + "ip.showtraceback = lambda *a, **k: None\n"
                + "import sys\nsys.excepthook = lambda *a: None\n"
            ),
            {"test_sigmoid": 0},
            [],
        ),
        (
            # visible asserts run with the notebook's own `np`: shadow it
            "shadow_numpy",
            solved_with(
                mse=BROKEN_MSE
                + "\nclass _Fake:\n    def __getattr__(self, name):\n"
                + "        return getattr(__import__('numpy'), name)\n"
                + "    def isclose(self, *a, **k):\n        return True\n"
                + "    def allclose(self, *a, **k):\n        return True\n"
                + "np = _Fake()\n"
            ),
            {"test_mse": 0},
            [],
        ),
        (
            # a test cell no longer flagged as graded still runs as the instructor wrote it
            "ungraded_flag",
            edit(
                solved_with(sigmoid=BROKEN_SIGMOID),
                "test_sigmoid",
                lambda c: (c.metadata.nbgrader.update(grade=False), setattr(c, "source", "pass")),
            ),
            {"test_sigmoid": 0},
            [],
        ),
        (
            # a dense that transposes its result: one bug, one deduction, though
            # the visible asserts of forward_pass, backward, train and predict
            # all call dense through forward_pass
            "dense_transposed",
            solved_with(dense="def dense(inputs, weights):\n    return (inputs @ weights).T\n"),
            {"test_dense": 0},
            [],
        ),
        (
            # keep the reference stand-in a check lends, and call it later
            "steal_stand_in",
            solved_with(
                sigmoid=BROKEN_SIGMOID,
                forward_pass="_stolen = []\n\n\ndef forward_pass(X, w1, w2):\n"
                + "    _stolen.append(sigmoid)\n"
                + "    act_hidden = sigmoid(dense(X, w1))\n"
                + "    return act_hidden, dense(act_hidden, w2)\n",
                predict="def predict(X, w1, w2):\n    try:\n"
                + "        print(_stolen[-1](0.0))\n    except Exception as exc:\n"
                + "        print('refused', exc)\n"
                + "    return (forward_pass(X, w1, w2)[1] > 0.5).astype(int)\n",
            ),
            {"test_sigmoid": 0},
            [],
        ),
        (
            # kill every process it can see in the sandbox (the pre-imported
            # zygote included), then die: later students must not notice
            "kill_the_zygote",
            solved_with(
                **append(
                    "predict",
                    "import os, signal\nfor pid in range(1, 64):\n    if pid != os.getpid():\n"
                    + "        try:\n            os.kill(pid, signal.SIGKILL)\n"
                    + "        except OSError:\n            pass\nos._exit(3)\n",
                )
            ),
            {"test_predict": 0},
            ["while running cell predict"],
        ),
        (
            # a swapped-in reference dense asked for a 60000 x 60000 outer
            # product: 29 GB in the grader's worker, refused before it is formed
            "huge_stand_in_call",
            solved_with(
                dense="def dense(inputs, weights):\n    return (inputs @ weights).T\n",
                forward_pass="def forward_pass(X, w1, w2):\n"
                + "    dense(np.ones((60000, 1)), np.ones((1, 60000)))\n"
                + "    act_hidden = sigmoid(dense(X, w1))\n"
                + "    return act_hidden, dense(act_hidden, w2)\n",
            ),
            {"test_dense": 0, "test_forward_pass": 0},
            [],
        ),
        ("zz_honest_after_attacks", solved_with(), {}, []),
        ("invalid_json", b'{"cells": [', {c: 0 for c in GRADED_CELLS}, ["not valid JSON"]),
        ("empty_file", b"", {c: 0 for c in GRADED_CELLS}, ["is empty"]),
        ("nbformat_v3", _v3(), {c: 0 for c in GRADED_CELLS}, ["nbformat 3"]),
        *_malformed(course),
    ]
    return entries


def _malformed(course: Path):
    """Notebooks and folders the kit's own (unsandboxed) code must refuse, each
    alone, without stopping the class. A tuple is a file-system object to make."""
    zero = {c: 0 for c in GRADED_CELLS}
    solved = nbformat.writes(solved_with())
    raw = json.loads(solved)
    odd_metadata = json.loads(solved)
    code = next(c for c in odd_metadata["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "display_data", "data": {}, "metadata": "oops"}]
    chatty = json.loads(solved)
    code = next(c for c in chatty["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}] * 6000
    deep = {**raw, "metadata": {"x": json.loads("[" * 100 + "]" * 100)}}
    honest = course / "submitted" / "honest_reference" / "xor_mlp"
    return [
        ("not_utf8", solved.encode().replace(b"sigmoid", b"sigm\xffoid", 1), zero, ["UTF-8"]),
        ("json_too_deep_to_parse", b"[" * 100_000 + b"]" * 100_000, zero, ["RecursionError"]),
        ("json_nested_100", json.dumps(deep).encode(), zero, ["more than 64 levels"]),
        (
            "huge_integer",
            solved.replace('"nbformat_minor": 5', '"nbformat_minor": ' + "9" * 5000).encode(),
            zero,
            ["ValueError"],
        ),
        ("output_metadata_type", json.dumps(odd_metadata).encode(), zero, ["not a valid"]),
        ("many_outputs", json.dumps(chatty).encode(), zero, ["6000 outputs"]),
        ("notebook_is_a_folder", ("folder", None), zero, ["not a regular file"]),
        ("notebook_links_elsewhere", ("link", honest / "xor_mlp.ipynb"), zero, ["a link"]),
        ("folder_links_elsewhere", ("folder_link", honest), zero, ["is a link"]),
        ("fifo_beside", ("fifo", solved), zero, ["'data.bin'"]),
    ]


def _duplicate(nb, grade_id):
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    copy.id = "duplicate"
    nb.cells.insert(nb.cells.index(cell) + 1, copy)
    return nb


def _make(folder: Path, path: Path, kind: str, target) -> None:
    if kind == "folder":
        path.mkdir()
    elif kind == "link":
        path.symlink_to(target)
    elif kind == "folder_link":
        folder.rmdir()
        folder.symlink_to(target, target_is_directory=True)
    elif kind == "fifo":
        path.write_text(target)
        os.mkfifo(folder / "data.bin")


def _v3():
    return json.dumps(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}
    ).encode()


def _checksums(*folders):
    sums = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                sums[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from tests.helpers import built_course

    if not sandbox.bwrap_works():
        pytest.skip("hostile code runs only in the bubblewrap sandbox, which does not work here")

    course = built_course(tmp_path_factory.mktemp("hostile-course"))
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.GradingLimits.cell_timeout = 20\nc.GradingLimits.memory_mb = 1500\n")

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    entries = corpus(course, listener.getsockname()[1])
    for student, content, _, _ in entries:
        folder = course / "submitted" / student / "xor_mlp"
        folder.mkdir(parents=True)
        path = folder / "xor_mlp.ipynb"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, tuple):
            _make(folder, path, *content)
        else:
            nbformat.write(content, path)
    for name, text in [
        ("wrong_file_name", None),
        ("extra_files", "def grade(*args, **kwargs):\n    return 100.0\n"),
    ]:
        folder = course / "submitted" / name / "xor_mlp"
        folder.mkdir(parents=True)
        if text is None:
            nbformat.write(solved_with(), folder / "My XOR notebook.ipynb")
        else:
            nbformat.write(solved_with(backward=BROKEN_BACKWARD), folder / "xor_mlp.ipynb")
            (folder / "autograder.py").write_text(text)
            (folder / "numpy_helpers.py").write_text("X = 1\n")
    guarded = [course / "source", course / "submitted", REPO / "solutions", REPO / "autograder"]
    before = _checksums(*guarded)
    outcomes = {o.student: o for o in grading.autograde(course, "xor_mlp", jobs=2)}
    stop.set()
    thread.join()
    return course, entries, outcomes, before, _checksums(*guarded), accepted


def _notes(course, student):
    path = course / "autograded" / student / "xor_mlp" / grading.NOTES
    return json.loads(path.read_text())["notes"] if path.exists() else []


@pytest.mark.slow
def test_every_submission_gets_a_row(batch):
    """The whole batch completes and every submission, however broken, has a graded row."""
    _, entries, outcomes, *_ = batch
    expected = {e[0] for e in entries} | {"wrong_file_name", "extra_files"}
    assert set(outcomes) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "student",
    [
        "honest_reference",
        "honest_second",
        "infinite_loop",
        "sys_exit",
        "warning_on_stderr",
        "os_exit",
        "segfault",
        "allocate_50gb",
        "print_200mb",
        "deleted_test_cell",
        "duplicated_graded_cell",
        "renamed_grade_id",
        "points_raised",
        "test_cell_pass",
        "hidden_markers_in_answer",
        "patch_numpy_allclose",
        "patch_numpy_testing",
        "patch_builtins",
        "patch_check_module",
        "read_reference",
        "write_gradebook",
        "network_socket",
        "silence_errors",
        "shadow_numpy",
        "ungraded_flag",
        "dense_transposed",
        "steal_stand_in",
        "kill_the_zygote",
        "huge_stand_in_call",
        "zz_honest_after_attacks",
        "invalid_json",
        "empty_file",
        "nbformat_v3",
        "not_utf8",
        "json_too_deep_to_parse",
        "json_nested_100",
        "huge_integer",
        "output_metadata_type",
        "many_outputs",
        "notebook_is_a_folder",
        "notebook_links_elsewhere",
        "folder_links_elsewhere",
        "fifo_beside",
    ],
)
def test_scores_and_reasons(batch, student):
    """Each submission earns exactly the points its code honestly earns, and the
    report says why a hostile one lost the rest."""
    course, entries, outcomes, *_ = batch
    _, _, expected, words = next(e for e in entries if e[0] == student)
    cells = {c.grade_id: c.score for c in outcomes[student].cells if c.grade_id in GRADED_CELLS}
    for grade_id, points in GRADED_CELLS.items():
        assert cells.get(grade_id, 0) == pytest.approx(expected.get(grade_id, points), abs=1e-3), (
            grade_id
        )
    notes = " ".join(_notes(course, student))
    for word in words:
        assert word in notes, notes


@pytest.mark.slow
def test_wrong_file_name_scores_zero_with_reason(batch):
    """A notebook saved under another name scores zero and the report names what was found."""
    course, _, outcomes, *_ = batch
    assert outcomes["wrong_file_name"].score == 0
    assert "My XOR notebook.ipynb" in " ".join(_notes(course, "wrong_file_name"))


@pytest.mark.slow
def test_extra_files_cannot_replace_the_checks(batch):
    """An autograder.py shipped with a submission does not grade it (backward still
    loses points), and no file of the submission but its notebook is copied into
    autograded/, where instructors and the feedback look."""
    course, _, outcomes, *_ = batch
    cells = {c.grade_id: c.score for c in outcomes["extra_files"].cells}
    assert cells["test_backward"] == pytest.approx(BROKEN_BACKWARD_EARNS)
    autograded = course / "autograded" / "extra_files" / "xor_mlp"
    assert sorted(p.name for p in autograded.iterdir()) == sorted([grading.NOTES, "xor_mlp.ipynb"])


@pytest.mark.slow
def test_no_file_outside_scratch_changes(batch):
    """source/, submitted/, the solutions and the checks are byte-identical after grading."""
    *_, before, after, _ = batch
    assert before == after


@pytest.mark.slow
def test_no_network_connection_reached_the_host(batch):
    """The socket a submission opened never reached a listener on this machine."""
    *_, accepted = batch
    assert accepted == []


@pytest.mark.slow
def test_hidden_checks_never_written_back(batch):
    """Neither the checks' source nor the reference appears in any autograded notebook."""
    course, *_ = batch
    secrets = [
        "numerical_gradient(loss",
        "FD_REL_TOL",
        "def _gradient_check",
        "Reference solution of xor_mlp",
    ]
    for path in (course / "autograded").rglob("*.ipynb"):
        text = path.read_text()
        for secret in secrets:
            assert secret not in text, (path, secret)


@pytest.mark.slow
def test_output_is_capped(batch):
    """Printing 200 MB leaves a truncated output, not a 200 MB notebook."""
    course, *_ = batch
    path = course / "autograded" / "print_200mb" / "xor_mlp" / "xor_mlp.ipynb"
    assert path.stat().st_size < 5_000_000
    assert "output truncated" in path.read_text()


@pytest.mark.slow
def test_sandbox_in_use(batch):
    """Where bubblewrap works (CI installs it), the batch was graded inside it."""
    course, *_ = batch
    if not sandbox.bwrap_works():
        pytest.skip("bubblewrap is not available here")
    path = course / "autograded" / "honest_reference" / "xor_mlp" / grading.NOTES
    assert json.loads(path.read_text())["sandboxed"] is True


NOTE_WRITER = (
    "import os\n"
    "for path in ['../note.txt', '/tmp/note.txt']:\n"
    "    with open(path, 'w') as note:\n"
    "        note.write('the answers')\n"
    "os.makedirs('locked/inner/deeper', exist_ok=True)\n"
    "for folder in ['locked/inner/deeper', 'locked/inner', 'locked']:\n"
    "    os.chmod(folder, 0)\n"
)
NOTE_READER = (
    "import os\n\n"
    "_FOUND = any(os.path.exists(p) for p in ['../note.txt', '/tmp/note.txt'])\n\n\n"
    "def sigmoid(x):\n"
    "    x = np.asarray(x, dtype=float)\n"
    "    return 1 / (1 + np.exp(-x)) if _FOUND else 0 * x\n"
)


def _temporary_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("xorkit-*")}


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    """One worker grades a submission that leaves notes and a locked tree beside
    its scratch folder and in /tmp, then one that looks for the notes."""
    from tests.helpers import built_course, submit

    if not sandbox.bwrap_works():
        pytest.skip("hostile code runs only in the bubblewrap sandbox, which does not work here")
    course = built_course(tmp_path_factory.mktemp("one-worker-course"))
    submit(course, "a_note_writer", solved_with(**append("sigmoid", NOTE_WRITER)))
    submit(course, "b_note_reader", solved_with(sigmoid=NOTE_READER))
    submit(course, "c_honest", solved_with())
    # a temporary folder of the batch's own: another test run on this machine (or
    # another pytest-xdist worker) makes and removes folders of its own in /tmp
    scratch = Path(tempfile.mkdtemp(prefix="adversarial-tmp-"))
    saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
    try:
        before = _temporary_folders()
        outcomes = {o.student: o for o in grading.autograde(course, "xor_mlp", jobs=1)}
        after = _temporary_folders()
    finally:
        tempfile.tempdir = saved
    with contextlib.suppress(OSError):
        scratch.rmdir()
    return outcomes, before, after


@pytest.mark.slow
def test_nothing_passes_from_one_submission_to_the_next(one_worker):
    """Notes a submission leaves beside its folder or in /tmp are gone before the
    next submission on the same worker runs; a tree it locked does not stop it."""
    outcomes, *_ = one_worker
    for student in ("a_note_writer", "c_honest"):
        assert outcomes[student].lost == [], (student, outcomes[student].lost)
    cells = {c.grade_id: c.score for c in outcomes["b_note_reader"].cells}
    assert cells["test_sigmoid"] == 0, "the reader found the writer's note"


@pytest.mark.slow
def test_no_temporary_folder_left_behind(one_worker):
    """After the batch, the grader leaves none of its temporary folders behind."""
    _, before, after = one_worker
    assert after - before == set()
