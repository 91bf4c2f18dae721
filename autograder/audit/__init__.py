"""``xorkit audit``: mutation analysis of an assignment's hidden checks.

An autograder is only as fair as its checks. The audit measures them against
simulated student mistakes, as a declared list of steps:

1. ``mutants``: every first-order mutant of each contract function's reference
   solution, read from the source notebook's solution cells
   (``autograder.audit.operators``, ``autograder.audit.mutants``);
2. ``record``: the calls the reference notebook makes to each contract
   function (``autograder.audit.recording``);
3. ``label``: each mutant replayed on those calls and perturbed copies of them;
   one that agrees with the reference everywhere is set aside as likely
   equivalent, without looking at the checks (``autograder.audit.equivalence``);
4. ``grade``: every mutant graded through the grading engine, sandboxed, with
   the one-bug-one-deduction rule (``autograder.audit.grading``); the likely
   equivalent ones too, though they do not count in the score (one that loses
   points shows a check stricter than the contract);
5. ``explain``: each survivor's calls that tell it apart from the reference.

A mutant is *killed* when it loses points in its own function's test cell,
*survives* otherwise; *collateral* when it loses points in another cell. The
mutation score is killed / (killed + survived). The gate: the score reaches the
assignment's ``audit_minimum`` and no mutant is collateral.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Outcome:
    """What the audit found about one mutant."""

    mutant: object  # mutants.Mutant
    verdict: object  # equivalence.Verdict
    graded: object = None  # grading.Graded, None for a likely equivalent mutant
    grade_id: str = ""  # of the mutant's own function's test cell

    @property
    def status(self) -> str:
        if self.verdict.equivalent:
            return "equivalent"
        return "killed" if self.graded.short(self.grade_id) else "survived"

    @property
    def collateral(self) -> list[str]:
        """The other test cells where it lost points."""
        if self.graded is None:
            return []
        return [g for g in self.graded.scores if g != self.grade_id and self.graded.short(g)]

    @property
    def rejected(self) -> bool:
        """A likely equivalent mutant that still loses points: a check stricter
        than the contract, or an input the labelling never tried."""
        return (
            self.verdict.equivalent
            and self.graded is not None
            and any(self.graded.short(g) for g in self.graded.scores)
        )


@dataclass
class Tally:
    mutants: int = 0
    equivalent: int = 0
    killed: int = 0
    survived: int = 0
    collateral: int = 0

    def add(self, outcome: Outcome) -> None:
        self.mutants += 1
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.collateral += bool(outcome.collateral) and not outcome.verdict.equivalent

    @property
    def score(self) -> float:
        """Killed over non-equivalent mutants (1 when every mutant is equivalent)."""
        graded = self.killed + self.survived
        return self.killed / graded if graded else 1.0


@dataclass
class Audit:
    """The audit of one assignment."""

    assignment: str
    title: str
    functions: tuple[str, ...]
    outcomes: list[Outcome]
    minimum: float | None  # the assignment's audit_minimum
    sandboxed: bool
    jobs: int
    seconds: dict[str, float] = field(default_factory=dict)  # step -> wall seconds
    load: float = 0.0  # the machine's load average when the audit started (others' work)

    def tally(self, function: str | None = None) -> Tally:
        found = Tally()
        for outcome in self.outcomes:
            if function in (None, outcome.mutant.function):
                found.add(outcome)
        return found

    def by_operator(self) -> dict[str, Tally]:
        found: dict[str, Tally] = {}
        for outcome in self.outcomes:
            found.setdefault(outcome.mutant.operator, Tally()).add(outcome)
        return found

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def collateral(self) -> list[Outcome]:
        """Mutants charged outside their own cell (likely equivalent ones excepted:
        they are listed as ``rejected``)."""
        return [o for o in self.outcomes if o.collateral and not o.verdict.equivalent]

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rejected]

    @property
    def score(self) -> float:
        return self.tally().score

    def problems(self) -> list[str]:
        """Why the audit does not meet its gate; empty when it does."""
        found = []
        if self.minimum is not None and self.score < self.minimum:
            found.append(
                f"mutation score {self.score:.1%} is below the minimum of {self.minimum:.0%}"
            )
        if self.collateral:
            found.append(f"{len(self.collateral)} mutant(s) lose points outside their own cell")
        return found


def audit(
    course: Path,
    name: str,
    jobs: int | None = None,
    sandbox: str = "require",
    progress=None,
    log=None,
) -> Audit:
    """Audit the hidden checks of assignment ``name`` of the course at ``course``.

    ``sandbox`` is the grading engine's mode (``require``: bubblewrap or a
    ``GraderFault``); ``progress(total, desc)`` returns a progress bar; ``log``
    receives a line per step. Raises ``GraderFault`` when the audit cannot run:
    a stale build, checks that fail on the reference, a notebook that does not
    run, no sandbox.
    """
    seconds: dict[str, float] = {}

    def step(label):
        seconds[label] = time.perf_counter()

    def done(label):
        seconds[label] = time.perf_counter() - seconds[label]

    step("prepare")
    from autograder.audit import equivalence, grading, mutants, recording
    from autograder.checking import assignment as assignments
    from autograder.checking import reference
    from autograder.engine import grading as engine
    from autograder.engine.sandbox import Limits
    from autograder.faults import GraderFault

    log = log or (lambda line: None)
    jobs = max(1, jobs or os.cpu_count() or 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    contract = assignments.load(course, name)
    # the reference and checks the build vouched for; that the checks pass on
    # the reference, the grading's control run shows (autograder.audit.grading)
    reference.verify(contract)
    contract.use_reference(None)
    use_bwrap = engine.use_sandbox(sandbox)
    ref = contract.reference()
    limits = Limits.from_course(contract.course)
    plan = grading.plan(contract, ref)
    done("prepare")

    step("mutants")
    try:
        made = mutants.of_assignment(contract, ref)
    except (ValueError, SyntaxError) as exc:
        raise GraderFault(f"{name}: cannot make mutants: {exc}") from exc
    done("mutants")
    log(f"{name}: {len(made)} mutants of {len(contract.names)} functions")

    step("record")
    calls = recording.record(contract)
    done("record")
    log(f"{name}: recorded {sum(len(c) for c in calls.values())} calls of the reference notebook")

    step("label")
    labeller = equivalence.Labeller(ref, calls)
    bar = (lambda total: progress(total, "label")) if progress else None
    verdicts = equivalence.label_all(labeller, made, jobs, progress=bar)
    done("label")
    equivalent = sum(verdicts[m.name].equivalent for m in made)
    log(f"{name}: {equivalent} likely equivalent, {len(made) - equivalent} for the checks to kill")

    step("grade")
    bar = (lambda total: progress(total, "grade")) if progress else None
    graded = grading.grade_all(contract, plan, made, limits, use_bwrap, jobs, bar)
    done("grade")

    outcomes = [
        Outcome(m, verdicts[m.name], graded.get(m.name), contract.function(m.function).grade_id)
        for m in made
    ]
    step("explain")
    for outcome in outcomes:
        if outcome.status == "survived":  # up to three calls that tell it apart
            outcome.verdict = labeller.label(outcome.mutant, limit=3)
    done("explain")
    return Audit(
        name,
        contract.title,
        contract.names,
        outcomes,
        contract.audit_minimum,
        use_bwrap,
        jobs,
        seconds,
        load,
    )
