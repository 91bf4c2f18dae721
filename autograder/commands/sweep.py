"""``xorkit sweep``: the weight-scale study, on an assignment's reference ``train_many``."""

import time
from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import (
    assignment_option,
    count_option,
    course_option,
    folder_option,
)

NEEDS = ("initialize_parameters", "train_many")  # the contract functions a sweep calls
DATA = ("xor", "or", "and")  # sweep.GATES, named here so that --help imports no NumPy


def _sweepable(root: Path, assignment: str | None) -> list[str]:
    """The assignments to sweep: the one given, refused (one line, exit 2) when its
    contract lacks a function a sweep calls; else every one that has them."""
    from autograder.checking import assignment as assignments

    missing = {}
    for name in course_checks.chosen(root, assignment):
        names = assignments.load(root, name).names
        missing[name] = [f for f in NEEDS if f not in names]
    able = [name for name, lack in missing.items() if not lack]
    if able:
        return able
    why = "; ".join(
        f"{name}'s contract (assignments/{name}/__init__.py) has no {' and no '.join(lack)}"
        for name, lack in missing.items()
    )
    what = f"{assignment} cannot be swept" if assignment else "no assignment here can be swept"
    raise KitFailed(
        f"{what}: {why}; a sweep trains many networks at once with {' and '.join(NEEDS)}"
    )


@click.command("sweep", epilog=HELP)
@course_option
@assignment_option
@click.option(
    "--scales",
    default="e^-3:e^4:400",  # sweep.ARTICLE_SCALES
    show_default=True,
    help="The initial weight scales: LO:HI:N, N scales evenly spaced in log from LO to HI "
    "(a bound may be e^X; the default is the article's grid), or a list such as 0.5,1,2.",
)
@count_option("--runs", default=10, help="Networks per scale, each from its own seed.")
@count_option(
    "--adaptive",
    minimum=0,
    default=0,
    help="Networks to add after the runs, in all, each where the standard error of the "
    "metric is then widest.",
)
@count_option(
    "--hidden", help="Hidden units [default: the assignment's HIDDEN, else 2 as in the article]."
)
@click.option(
    "--learning-rate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="[default: the assignment's LEARNING_RATE, else 0.4: the article's 0.1 on the "
    "BCE summed over the 4 examples, on the mean BCE].",
)
@count_option(
    "--epochs", help="[default: the assignment's N_EPOCHS, else 10000 as in the article]."
)
@count_option(
    "--seed",
    minimum=0,
    default=0,
    help="The base seed; network (scale, run) draws from its own rng made of it.",
)
@click.option(
    "--data",
    type=click.Choice(DATA),
    default="xor",
    show_default=True,
    help="The truth table to learn.",
)
@count_option("--jobs", "-j", help="Processes [default: the cores this process may use].")
@count_option(
    "--chunk", help="Networks per train_many call [default: up to 500, shared over --jobs]."
)
@click.option(
    "--store",
    default=None,
    help="A SQLAlchemy URL of the database that keeps every network's result "
    "[default: sqlite:///OUT/<assignment>.db].",
)
@folder_option(
    "sweeps", "The folder for <assignment>.png and <assignment>.csv (relative to the course)."
)
@click.option(
    "--metric",
    type=click.Choice(["final_loss", "mean_loss"]),
    default="final_loss",
    show_default=True,
    help="What the plot shows and adaptive runs narrow: the loss at the last epoch, or "
    "the loss averaged over the epochs (the article's).",
)
def command(
    course: Path,
    assignment: str | None,
    scales: str,
    runs: int,
    adaptive: int,
    hidden: int | None,
    learning_rate: float | None,
    epochs: int | None,
    seed: int,
    data: str,
    jobs: int | None,
    chunk: int | None,
    store: str | None,
    out: Path,
    metric: str,
):
    """Run the weight-scale study on an assignment's train_many and plot it.

    For every scale s of a log grid, --runs networks start from weights and
    biases drawn normal(0, s) and are trained with the reference's train_many,
    many networks per call, in --jobs processes. Every network's final loss and
    mean loss go to the store as soon as its chunk ends. Ctrl-C starts no new
    chunk, keeps those in progress once they end, and exits 1: the same command
    then trains only the missing networks. Writes OUT/<assignment>.png (mean
    loss ± standard error against the scale) and OUT/<assignment>.csv (the
    table). Assignments whose contract has no train_many are refused (exit 2).

    \b
    Examples:
      xorkit sweep                       # the article's study: 400 scales × 10 runs
      xorkit sweep --scales 1e-2:1e2:40 --runs 20 --adaptive 400
      xorkit sweep --assignment xor_bias_bce --epochs 2000 --jobs 2
      xorkit sweep --store sqlite:////data/xor-sweeps.db   # any SQLAlchemy URL
    """
    # imported when the verb runs, not for --help: they load NumPy and SQLAlchemy
    from autograder.course import sweep

    try:
        grid = sweep.scale_grid(scales)
    except sweep.SweepError as exc:
        raise click.BadParameter(str(exc), param_hint="--scales") from exc
    root = course.resolve()
    folder = out if out.is_absolute() else root / out
    options = {"runs": runs, "adaptive": adaptive, "chunk": chunk, "metric": metric}
    options["jobs"] = jobs or sweep.default_jobs()
    given = {"hidden": hidden, "learning_rate": learning_rate, "n_epochs": epochs}
    for name in _sweepable(root, assignment):
        reference = sweep.CourseReference(root, name)
        reference.module()  # a missing or broken reference stops here (exit 2)
        study, origin = _study(root, name, reference.trainer(), given, seed, data)
        url = store or f"sqlite:///{folder / f'{name}.db'}"
        folder.mkdir(parents=True, exist_ok=True)
        summary = _sweep(name, reference, study, origin, grid, url, options)
        png, table = folder / f"{name}.png", folder / f"{name}.csv"
        sweep.plot(summary, png, metric=metric)
        sweep.write_csv(summary, table)
        click.echo(f"→ {png}, {table}")


def _study(root: Path, name: str, trainer: str, given: dict, seed: int, data: str):
    """The assignment's study: the options given, else its settings, else the article's."""
    from autograder.checking import assignment as assignments
    from autograder.course import sweep

    settings = assignments.load(root, name).settings
    try:
        return sweep.study_for(settings, trainer, **given, seed=seed, data=data)
    except (sweep.SweepError, TypeError, ValueError) as exc:
        raise KitFailed(f"{name}: its settings make no study: {exc}") from exc


def _sweep(name, reference, study, origin, grid, url, options):
    """Sweep one assignment into the store at ``url``, saying what it does; exit 1
    when interrupted, with what was kept."""
    from autograder.course import sweep
    from autograder.course.sweep_store import Store, StoreError, shown
    from autograder.progress import progress

    try:
        store = Store(url)
    except StoreError as exc:
        raise KitFailed(f"{name}: {exc}") from exc
    click.echo(_header(name, study, origin, grid, options["runs"], options["adaptive"]))
    start, trained = time.perf_counter(), []
    with store:
        try:
            summary = sweep.run(
                reference,
                study,
                grid,
                **options,
                store=store,
                progress=lambda total: progress(desc=name, total=total),
                on_chunk=trained.extend,
            )
        except sweep.SweepError as exc:
            raise KitFailed(f"{name}: {exc}") from exc
        except KeyboardInterrupt:
            click.echo(
                f"\ninterrupted: the {len(trained)} networks trained are kept in {shown(url)}; "
                "run the same command again to train the rest"
            )
            click.get_current_context().exit(STUDENTS_NEED_ATTENTION)
    click.echo(_trained(trained, summary, time.perf_counter() - start, options["jobs"]))
    metric, best = options["metric"], summary.best(options["metric"])
    if best is not None:
        click.echo(
            f"lowest mean {metric.replace('_', ' ')}: {summary.mean[metric][best]:.4g} "
            f"± {summary.se[metric][best]:.2g} at scale {summary.scales[best]:.3g} "
            f"(Glorot's √(2/(D+H)): {sweep.glorot(study):.3g})"
        )
    click.echo(f"every network is in {shown(url)}")
    return summary


def _trained(trained: list, summary, seconds: float, jobs: int) -> str:
    before = int(summary.networks.sum()) - len(trained)
    if not trained:
        return f"nothing to train: the {before} networks were stored already"
    processes = "1 process" if jobs == 1 else f"{jobs} processes"
    return (
        f"trained {len(trained)} networks in {seconds:.1f} s ({len(trained) / seconds:.1f} a "
        f"second, {processes}); {before} were stored already"
    )


def _header(name, study, origin, grid, runs, adaptive) -> str:
    """What is about to be swept, and where each setting came from."""
    extra = f" (+{adaptive} adaptive)" if adaptive else ""
    whence = {"option": "given", "assignment": f"{name}'s", "article": "the article's"}
    settings = ", ".join(
        f"{label} {getattr(study, field):g} ({whence[origin[field]]})"
        for field, label in (
            ("hidden", "hidden units"),
            ("learning_rate", "learning rate"),
            ("n_epochs", "epochs"),
        )
    )
    return (
        f"{name}: {grid.size} scales from {grid.min():.3g} to {grid.max():.3g}, {runs} runs "
        f"each{extra}; {study.data}; {settings}; seed {study.seed}"
    )
