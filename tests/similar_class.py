"""A class for the similarity report: the example class, students written from
the catalogue's correct variants, and planted near-copies of one student.

Data only, like ``tests/catalogue.py``. ``ORIGINAL`` is one student's full
solution (kim), each body written under the release's signature and docstring,
in place of its stub. Each copy edits it one way, as a copier hides a copy:
``RENAMED`` (every variable), ``REORDERED`` (independent statements swapped),
``commented`` (comments and blank lines changed), ``COMPREHENDED`` (a loop
rewritten as a comprehension, an accumulation as a ``sum``); ``DISGUISED``
does all four and rewrites two functions its own way. The independent students
(``independent``) each take the catalogue's correct variants, no two the same
variant of a function, and the reference elsewhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from tests.catalogue import VARIANTS
from tests.helpers import RELEASE_NB, REPO, new_course, release_with, solved_sources, submit

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"

ORIGINAL = {
    "sigmoid": """\
    # clip so that exp never overflows
    z = np.clip(x, -500, 500)
    return 1.0 / (1.0 + np.exp(-z))""",
    "sigmoid_derivative": """\
    one_minus = 1.0 - a
    return a * one_minus""",
    "dense": """\
    result = np.matmul(inputs, weights)
    return result""",
    "initialize_weights": """\
    shape_in = (input_size, hidden_size)
    shape_out = (hidden_size, output_size)
    w1 = rng.uniform(low=0.0, high=1.0, size=shape_in)
    w2 = rng.uniform(low=0.0, high=1.0, size=shape_out)
    return w1, w2""",
    "forward_pass": """\
    hidden_in = dense(X, w1)
    act_hidden = sigmoid(hidden_in)
    y_hat = dense(act_hidden, w2)
    return act_hidden, y_hat""",
    "mse": """\
    diff = y_hat - y
    total = 0.0
    for d in diff.ravel():
        total += 0.5 * d * d
    return diff, float(total / diff.size)""",
    "backward": """\
    n = len(X)
    residual, error = mse(y_hat, y)
    grad_out = residual / n  # (N, O)
    grad_w2 = act_hidden.T.dot(grad_out)
    grad_hidden = grad_out.dot(w2.T) * sigmoid_derivative(act_hidden)
    grad_w1 = X.T.dot(grad_hidden)
    return grad_w1, grad_w2, error""",
    "backward_loops": """\
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw2 = np.zeros((h, 1))
    dL_dw1 = np.zeros((d, h))
    for k in range(n):
        for j in range(h):
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j] / n
            local = residual[k, 0] * w2[j, 0] * act_hidden[k, j] * (1 - act_hidden[k, j])
            for i in range(d):
                dL_dw1[i, j] += local * X[k, i] / n
    return dL_dw1, dL_dw2, error""",
    "train": """\
    history = []
    for step in range(n_epochs):
        hidden, output = forward_pass(X, w1, w2)
        g1, g2, err = backward(X, y, output, hidden, w2)
        history.append(err)
        w1 = w1 - learning_rate * g1
        w2 = w2 - learning_rate * g2
    return w1, w2, history""",
    "predict": """\
    _, out = forward_pass(X, w1, w2)
    labels = []
    for row in out:
        labels.append([1 if value > 0.5 else 0 for value in row])
    return np.array(labels)""",
}

RENAMED = {
    "sigmoid": """\
    # clip so that exp never overflows
    clipped = np.clip(x, -500, 500)
    return 1.0 / (1.0 + np.exp(-clipped))""",
    "sigmoid_derivative": """\
    complement = 1.0 - a
    return a * complement""",
    "dense": """\
    product = np.matmul(inputs, weights)
    return product""",
    "initialize_weights": """\
    first = (input_size, hidden_size)
    second = (hidden_size, output_size)
    w1 = rng.uniform(low=0.0, high=1.0, size=first)
    w2 = rng.uniform(low=0.0, high=1.0, size=second)
    return w1, w2""",
    "forward_pass": """\
    pre = dense(X, w1)
    act_hidden = sigmoid(pre)
    y_hat = dense(act_hidden, w2)
    return act_hidden, y_hat""",
    "mse": """\
    res = y_hat - y
    acc = 0.0
    for r in res.ravel():
        acc += 0.5 * r * r
    return res, float(acc / res.size)""",
    "backward": """\
    count = len(X)
    residual, err = mse(y_hat, y)
    g_out = residual / count  # (N, O)
    g2 = act_hidden.T.dot(g_out)
    g_hid = g_out.dot(w2.T) * sigmoid_derivative(act_hidden)
    g1 = X.T.dot(g_hid)
    return g1, g2, err""",
    "backward_loops": """\
    res, err = mse(y_hat, y)
    n_s, n_in = X.shape
    n_h = act_hidden.shape[1]
    g2 = np.zeros((n_h, 1))
    g1 = np.zeros((n_in, n_h))
    for s in range(n_s):
        for h in range(n_h):
            g2[h, 0] += res[s, 0] * act_hidden[s, h] / n_s
            back = res[s, 0] * w2[h, 0] * act_hidden[s, h] * (1 - act_hidden[s, h])
            for i in range(n_in):
                g1[i, h] += back * X[s, i] / n_s
    return g1, g2, err""",
    "train": """\
    losses = []
    for epoch in range(n_epochs):
        a, out = forward_pass(X, w1, w2)
        d1, d2, loss = backward(X, y, out, a, w2)
        losses.append(loss)
        w1 = w1 - learning_rate * d1
        w2 = w2 - learning_rate * d2
    return w1, w2, losses""",
    "predict": """\
    _, y_hat = forward_pass(X, w1, w2)
    classes = []
    for r in y_hat:
        classes.append([1 if v > 0.5 else 0 for v in r])
    return np.array(classes)""",
}

REORDERED = {
    **ORIGINAL,
    "initialize_weights": """\
    shape_out = (hidden_size, output_size)
    shape_in = (input_size, hidden_size)
    w1 = rng.uniform(low=0.0, high=1.0, size=shape_in)
    w2 = rng.uniform(low=0.0, high=1.0, size=shape_out)
    return w1, w2""",
    "mse": """\
    total = 0.0
    diff = y_hat - y
    for d in diff.ravel():
        total += 0.5 * d * d
    return diff, float(total / diff.size)""",
    "backward": """\
    residual, error = mse(y_hat, y)
    n = len(X)
    grad_out = residual / n  # (N, O)
    grad_hidden = grad_out.dot(w2.T) * sigmoid_derivative(act_hidden)
    grad_w1 = X.T.dot(grad_hidden)
    grad_w2 = act_hidden.T.dot(grad_out)
    return grad_w1, grad_w2, error""",
    "backward_loops": """\
    n, d = X.shape
    h = act_hidden.shape[1]
    residual, error = mse(y_hat, y)
    dL_dw1 = np.zeros((d, h))
    dL_dw2 = np.zeros((h, 1))
    for k in range(n):
        for j in range(h):
            local = residual[k, 0] * w2[j, 0] * act_hidden[k, j] * (1 - act_hidden[k, j])
            for i in range(d):
                dL_dw1[i, j] += local * X[k, i] / n
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j] / n
    return dL_dw1, dL_dw2, error""",
    "train": """\
    history = []
    for step in range(n_epochs):
        hidden, output = forward_pass(X, w1, w2)
        g1, g2, err = backward(X, y, output, hidden, w2)
        w2 = w2 - learning_rate * g2
        w1 = w1 - learning_rate * g1
        history.append(err)
    return w1, w2, history""",
}


def commented(body: str) -> str:
    """``body`` with its comments dropped, new ones added and blank lines moved."""
    out = []
    for i, line in enumerate(body.splitlines()):
        if line.strip().startswith("#"):
            continue
        code = line.split("  #")[0].rstrip()
        indent = code[: len(code) - len(code.lstrip())]
        if i % 2 == 0:
            out.append(f"{indent}# step {i + 1}")
        out.append(code)
        if i % 3 == 1:
            out.append("")
    return "\n".join(out)


COMMENTED = {k: commented(v) for k, v in ORIGINAL.items()}

COMPREHENDED = {
    **ORIGINAL,
    "mse": """\
    diff = y_hat - y
    total = sum(0.5 * d * d for d in diff.ravel())
    return diff, float(total / diff.size)""",
    "predict": """\
    _, out = forward_pass(X, w1, w2)
    labels = [[1 if value > 0.5 else 0 for value in row] for row in out]
    return np.array(labels)""",
}


DISGUISED = {
    **RENAMED,
    "sigmoid_derivative": """\
    return a - a * a""",
    "dense": """\
    return inputs @ weights""",
    "initialize_weights": """\
    second = (hidden_size, output_size)
    first = (input_size, hidden_size)
    # uniform in [0, 1)
    w1 = rng.uniform(low=0.0, high=1.0, size=first)
    w2 = rng.uniform(low=0.0, high=1.0, size=second)

    return w1, w2""",
    "mse": """\
    res = y_hat - y
    acc = sum(0.5 * r * r for r in res.ravel())  # half the squared error
    return res, float(acc / res.size)""",
    "backward": """\
    residual, err = mse(y_hat, y)
    count = len(X)

    g_out = residual / count
    g_hid = g_out.dot(w2.T) * sigmoid_derivative(act_hidden)
    g1 = X.T.dot(g_hid)
    g2 = act_hidden.T.dot(g_out)
    return g1, g2, err""",
    "predict": """\
    _, y_hat = forward_pass(X, w1, w2)
    # threshold each output at 0.5
    classes = [[1 if v > 0.5 else 0 for v in r] for r in y_hat]
    return np.array(classes)""",
}

# A copier's edits inside statements: operands swapped, constants and calls changed.
INSIDE = [
    ("0.5 * d * d", "d * d * 0.5"),
    ("residual / n", "residual * (1 / n)"),
    ("-500, 500", "-700, 700"),
    ("low=0.0, high=1.0, size=", "size="),
    ("residual[k, 0] * w2[j, 0]", "w2[j, 0] * residual[k, 0]"),
    ("X.T.dot(grad_hidden)", "np.dot(X.T, grad_hidden)"),
    ("1 if value > 0.5 else 0", "int(value > 0.5)"),
    ("a * one_minus", "one_minus * a"),
    ("np.matmul(inputs, weights)", "inputs.dot(weights)"),
]


def edited_inside() -> dict[str, str]:
    """ORIGINAL with the INSIDE edits: a copy no normalisation undoes."""
    bodies = {}
    for grade_id, body in ORIGINAL.items():
        for old, new in INSIDE:
            body = body.replace(old, new)
        bodies[grade_id] = body
    return bodies


# each planted copy of ORIGINAL, by student id
COPIES = {
    "kim_renamed": RENAMED,
    "kim_reordered": REORDERED,
    "kim_commented": COMMENTED,
    "kim_comprehension": COMPREHENDED,
    "kim_disguised": DISGUISED,
}
PLANTED = ["kim_original", *COPIES]


def release_cells() -> dict[str, str]:
    """The release's solution cells (signature, docstring, stub), by grade_id."""
    nb = nbformat.read(RELEASE_NB, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def filled(bodies: dict[str, str]) -> dict[str, str]:
    """Solution cells with each stub replaced by the given body."""
    given = release_cells()
    return {grade_id: given[grade_id].replace(STUB, body) for grade_id, body in bodies.items()}


def independent() -> dict[str, dict[str, str]]:
    """Students written from the catalogue's correct variants: the n-th takes
    the n-th variant of each function (the reference where there is none), so
    no two share a variant. seed_backward_pass is left out: it is
    seed_backward_faster with one line inlined, the same origin, not an
    independent solution."""
    by_function: dict[str, list] = {}
    for v in VARIANTS:
        if v.kind == "correct" and v.name != "seed_backward_pass":
            by_function.setdefault(v.function, []).append(v)
    students = {}
    for n in range(max(len(vs) for vs in by_function.values())):
        code = solved_sources()
        for function, variants in by_function.items():
            if n < len(variants):
                code[function] = variants[n].code
        students[f"cat_{n}"] = code
    return students


def make(course: Path) -> Path:
    """A course with a release, the example class, the independent students and
    kim with the planted copies."""
    new_course(course)
    shutil.copytree(REPO / "release", course / "release")
    shutil.copytree(REPO / "submitted", course / "submitted")
    for student, code in independent().items():
        submit(course, student, release_with(code))
    submit(course, "kim_original", release_with(filled(ORIGINAL)))
    for student, bodies in COPIES.items():
        submit(course, student, release_with(filled(bodies)))
    return course
