"""An assignment as one unit: its contract, its cases and its hidden checks.

A course directory holds, beside nbgrader's ``source/<name>/<name>.ipynb``, one
Python package per assignment, ``assignments/<name>/``. Its ``__init__`` states
the contract once::

    ASSIGNMENT = Assignment(
        __file__,
        functions=(
            Function("sigmoid", points=2),
            Function("forward_pass", points=2, calls=("sigmoid",)),
            ...
        ),
        settings={"LEARNING_RATE": 0.5, "N_EPOCHS": 5000},
        checks=("check_sigmoid", "check_forward_pass", ...),
        audit_minimum=0.98,  # `xorkit audit` fails below this mutation score
    )

and its ``checks/`` modules register their properties on that object
(``@ASSIGNMENT.check("sigmoid", "...")``). Nothing in the machinery names an
assignment: ``load(course, name)`` imports the package of the course being
graded, under a module name private to that course, and ``load_checks`` imports
the check modules the contract lists, so the checks register only when an
assignment is loaded, never as a side effect of importing the kit.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from autograder.faults import GraderFault

PACKAGES = "assignments"  # the course folder holding one package per assignment
RECORD = "build.json"
# The checks core every assignment's checks are made of: a change to any of
# these, or to the assignment's package, needs a new build.
KIT_DIR = Path(__file__).resolve().parent.parent
CORE_FILES = (
    "checking/numerics.py",
    "checking/hints.py",
    "checking/runner.py",
    "checking/sigmoid_checks.py",
)


@dataclass(frozen=True)
class Function:
    """One function of the student contract, worth ``points`` in its test cell.

    ``calls`` are the contract functions it is expected to call: while it is
    checked, those of them that failed their own checks are replaced by the
    reference, so that a bug costs points in its own cell only.
    """

    name: str
    points: float
    calls: tuple[str, ...] = ()

    @property
    def grade_id(self) -> str:
        return f"test_{self.name}"


class Assignment:
    """The contract of one assignment and the registry of its hidden checks."""

    def __init__(
        self,
        package_file: str,
        functions: tuple[Function, ...],
        settings: dict | None = None,
        checks: tuple[str, ...] = (),
        title: str = "",
        mistakes: str = "",
        audit_minimum: float | None = None,
    ):
        self.package_dir = Path(package_file).resolve().parent
        self.name = self.package_dir.name
        self.course = self.package_dir.parent.parent
        self.functions = tuple(functions)
        self.settings = dict(settings or {})
        self.check_modules = tuple(checks)
        # the module of the package listing MISCONCEPTIONS and probes() (optional)
        self.mistakes_module = mistakes
        self.title = title or self.name
        # the share of non-equivalent mutants `xorkit audit` must see the checks
        # kill (None: the audit reports its score but sets no minimum)
        if audit_minimum is not None and not 0 <= audit_minimum <= 1:
            raise ValueError(f"{self.name}: audit_minimum is a share, between 0 and 1")
        self.audit_minimum = audit_minimum
        self.registry: dict[str, list] = {}
        self._module: str | None = None  # the package's module name, once imported
        self._reference_override: Path | None = None
        self._reference: types.ModuleType | None = None
        names = [f.name for f in self.functions]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a function is listed twice in the contract")
        for f in self.functions:
            unknown = [c for c in f.calls if c not in names]
            if unknown:
                raise ValueError(f"{self.name}: {f.name} calls unknown {', '.join(unknown)}")

    def __repr__(self) -> str:
        return f"Assignment({self.name!r}, course={str(self.course)!r})"

    # -- the contract ---------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The contract functions, in notebook order."""
        return tuple(f.name for f in self.functions)

    @property
    def dependencies(self) -> dict[str, tuple[str, ...]]:
        return {f.name: f.calls for f in self.functions if f.calls}

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(f"{name!r} is not a function of {self.name}'s contract")

    def points(self, name: str) -> float:
        return self.function(name).points

    @property
    def grade_ids(self) -> dict[str, str]:
        """grade_id of each test cell -> the function it grades."""
        return {f.grade_id: f.name for f in self.functions}

    # -- where its files are --------------------------------------------------

    def source_notebook(self, root: Path | None = None) -> Path:
        root = root or self.course
        return root / "source" / self.name / f"{self.name}.ipynb"

    def solutions(self, root: Path | None = None) -> Path:
        return (root or self.course) / "solutions" / self.name

    def reference_path(self) -> Path:
        """``XORKIT_REFERENCE`` (a packaged grader), else the one ``use_reference``
        set, else the course's built reference."""
        if os.environ.get("XORKIT_REFERENCE"):
            return Path(os.environ["XORKIT_REFERENCE"])
        return self._reference_override or self.solutions() / "reference.py"

    def record_path(self) -> Path:
        return self.solutions() / RECORD

    # -- the checks -----------------------------------------------------------

    def check(self, function: str, name: str, weight: float = 1.0):
        """Register a pytest-style check ``test_x(impl)`` as a property of
        ``function``; when it fails on a function that reads notebook data, the
        message names those variables (``hints``)."""
        from autograder.checking import hints, runner

        if function not in self.names:
            raise ValueError(f"{function!r} is not a function of {self.name}'s contract")

        def register(fn):
            item = runner.Check(function, name, weight, hints.naming_notebook_data(fn, function))
            self.registry.setdefault(function, []).append(item)
            return fn

        return register

    def load_checks(self) -> dict[str, list]:
        """Import the check modules the contract lists (once); they register here."""
        if self._module is None:
            raise GraderFault(f"{self.name}: load the assignment with `assignment.load`")
        for module in self.check_modules:
            importlib.import_module(f"{self._module}.checks.{module}")
        return self.registry

    def checks_of(self, function: str) -> list:
        return self.load_checks().get(function, [])

    def checks_digest(self) -> str:
        """One hash over the source of the checks: the assignment's package and
        the checks core of the kit, in a fixed order."""
        digest = hashlib.sha256()
        files = [(f"kit/{p}", KIT_DIR / p) for p in CORE_FILES]
        for path in sorted(self.package_dir.rglob("*.py")):
            if "__pycache__" not in path.parts:
                files.append((f"{PACKAGES}/{path.relative_to(self.course / PACKAGES)}", path))
        for label, path in files:
            digest.update(Path(label).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()

    # -- the reference --------------------------------------------------------

    def use_reference(self, path: Path | None) -> None:
        """Make ``path`` the reference ``reference()`` returns (None: the course's)."""
        self._reference_override, self._reference = path, None

    def reference(self) -> types.ModuleType:
        """The reference module, imported once per process."""
        if self._reference is None:
            path = self.reference_path()
            if not path.exists():
                raise GraderFault(f"the reference solution {path} is missing: run `xorkit build`")
            self._reference = import_reference(self, path)
        return self._reference


def import_reference(assignment: Assignment, path: Path) -> types.ModuleType:
    """Import the reference at ``path`` and check that it defines the contract."""
    spec = importlib.util.spec_from_file_location(f"xorkit_reference_{assignment.name}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise GraderFault(
            f"the reference solution {path} does not import ({type(exc).__name__}: {exc}): "
            "run `xorkit build`"
        ) from exc
    missing = [n for n in assignment.names if not callable(getattr(module, n, None))]
    if missing:
        raise GraderFault(
            f"the reference solution {path} does not define {', '.join(missing)}: "
            "run `xorkit build`"
        )
    return module


# -- finding and loading assignments --------------------------------------------


def names(course: Path) -> list[str]:
    """The assignments of a course: the packages in ``assignments/`` that have a
    source notebook, in name order."""
    folder = Path(course) / PACKAGES
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if (p / "__init__.py").is_file() and (Path(course) / "source" / p.name).is_dir()
    )


def _namespace(course: Path) -> str:
    """A module name private to this course's assignment packages, so that two
    courses (or a course and its temporary copy) never share a module."""
    key = hashlib.sha256(str(course).encode()).hexdigest()[:12]
    name = f"xorkit_course_{key}"
    if name not in sys.modules:
        module = types.ModuleType(name)
        module.__path__ = [str(course / PACKAGES)]
        sys.modules[name] = module
    return name


def load(course: Path, name: str) -> Assignment:
    """The assignment ``name`` of the course at ``course``, its package imported
    once per process. ``GraderFault`` if the package is missing or broken."""
    course = Path(course).resolve()
    return _load(course, name)


_LOADED: list[tuple[Path, str]] = []


@functools.cache
def _load(course: Path, name: str) -> Assignment:
    package = course / PACKAGES / name / "__init__.py"
    if not package.is_file():
        known = names(course)
        raise GraderFault(
            f"{package} is missing: assignment {name!r} has no package in {course / PACKAGES}"
            + (f" (this course has {', '.join(known)})" if known else "")
        )
    module_name = f"{_namespace(course)}.{name}"
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise GraderFault(
            f"the assignment package {package.parent} does not import ({type(exc).__name__}: {exc})"
        ) from exc
    assignment = getattr(module, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise GraderFault(f"{package} does not define ASSIGNMENT = Assignment(...)")
    assignment._module = module_name
    _LOADED.append((course, name))
    return assignment


def loaded() -> list[Assignment]:
    """Every assignment this process has loaded (the sandbox hides their files)."""
    return [_load(*key) for key in _LOADED]


def find_course(start: Path | None = None, name: str | None = None) -> Path:
    """The course a notebook kernel grades in: ``XORKIT_COURSE``, else the nearest
    folder above ``start`` (the current directory) holding ``assignments/<name>/``
    (nbgrader runs a notebook in ``<course>/<step>/[<student>/]<name>/``), else the
    course this kit is checked out in."""
    if os.environ.get("XORKIT_COURSE"):
        return Path(os.environ["XORKIT_COURSE"])
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PACKAGES / (name or "") / "__init__.py").is_file() or (
            name is None and (folder / PACKAGES).is_dir()
        ):
            return folder
    return KIT_DIR.parent


def for_notebook(name: str) -> Assignment:
    """The assignment a notebook's hidden test cell names (``grade``)."""
    return load(find_course(name=name), name)
