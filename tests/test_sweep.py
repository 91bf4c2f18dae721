"""The weight-scale study: `autograder.course.sweep` and `xorkit sweep`.

The course has no `xor_bias_bce` reference yet: the sweep trains the stand-in
of tests/bias_bce_network.py, and the CLI tests give a temporary course an
assignment whose reference is that stand-in.
"""

import dataclasses
import shutil
import types
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.commands import sweep as sweep_verb
from autograder.course import sweep
from autograder.course.sweep_store import Store
from tests import bias_bce_network as stand_in
from tests.helpers import REPO, new_course

PNG = b"\x89PNG\r\n\x1a\n"
SCALES = sweep.scale_grid("0.1:10:4")
STUDY = sweep.Study(n_epochs=150, learning_rate=1.0, trainer="stand-in")
NAME = "xor_bias_bce"  # the assignment of the temporary course


def _trained(store: Store, study=STUDY, scales=SCALES) -> dict:
    """(scale, run) → (final loss, mean loss) of every network stored."""
    found = store.results(study, scales)
    return {
        (float(s), r): v for s, runs in zip(scales, found, strict=True) for r, v in runs.items()
    }


def test_the_stand_in_trains_each_network_as_train_does_alone():
    """The stand-in's train_many gives network k the very losses and weights that
    train gives it alone (the contract the sweep relies on)."""
    X, y = STUDY.arrays()
    params = [
        stand_in.initialize_parameters(2, 3, 1, np.random.default_rng(k), 1.5) for k in range(5)
    ]
    many = stand_in.train_many(X, y, *(np.stack(p) for p in zip(*params, strict=True)), 0.7, 300)
    for k, p in enumerate(params):
        alone = stand_in.train(X, y, *p, 0.7, 300)
        for got, want in zip(many, alone, strict=True):
            np.testing.assert_array_equal(got[k], want)


def test_scale_grid_reads_log_ranges_and_lists():
    """LO:HI:N is N scales evenly spaced in log, bounds may be e^X, a list is taken as
    it is; anything else is refused with the forms it accepts."""
    np.testing.assert_allclose(sweep.scale_grid("1e-2:1e2:5"), [0.01, 0.1, 1, 10, 100])
    np.testing.assert_allclose(
        sweep.scale_grid(sweep.ARTICLE_SCALES), np.exp(np.linspace(-3, 4, 400)), rtol=1e-12
    )
    assert sweep.scale_grid("0.5, 1,2").tolist() == [0.5, 1.0, 2.0]
    for bad in ["1:10", "0:1:5", "-1,2", "a:b:3", "1:10:0", ""]:
        with pytest.raises(sweep.SweepError, match="LO:HI:N"):
            sweep.scale_grid(bad)
    with pytest.raises(sweep.SweepError, match="holds a scale twice"):
        sweep.scale_grid("1,2,1")


def test_a_network_does_not_depend_on_its_chunk():
    """Each network's result is the same whether the sweep trains all networks in one
    call, in chunks of 3, or in chunks of 5 over two processes."""
    results = []
    for jobs, chunk in [(1, None), (1, 3), (2, 5)]:
        with Store() as store:
            sweep.run(stand_in, STUDY, SCALES, runs=3, store=store, jobs=jobs, chunk=chunk)
            results.append(_trained(store))
    assert len(results[0]) == 12
    assert results[0] == results[1] == results[2]


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path):
    """A sweep stopped after two of its three chunks keeps those; run again, it trains
    only the missing chunk, and ends with the results of a sweep never stopped."""
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    chunks = []

    def stop_after_two(pairs):
        chunks.append(pairs)
        if len(chunks) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run(stand_in, STUDY, SCALES, runs=3, store=url, chunk=4, on_chunk=stop_after_two)
    with Store(url) as store:
        kept = _trained(store)
    assert set(kept) == {pair for chunk in chunks for pair in chunk} and len(kept) == 8

    again = []
    summary = sweep.run(stand_in, STUDY, SCALES, runs=3, store=url, chunk=4, on_chunk=again.extend)
    assert len(again) == 4 and not set(again) & set(kept)
    assert summary.networks.tolist() == [3, 3, 3, 3]
    with Store(url) as store, Store() as fresh:
        sweep.run(stand_in, STUDY, SCALES, runs=3, store=fresh)
        assert _trained(store) == _trained(fresh)


def test_ctrl_c_keeps_the_chunks_already_running_in_the_pool(tmp_path):
    """Interrupted while two processes train, the sweep starts no more chunks but keeps
    those that were running, reporting each; run again, it trains exactly the rest."""
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    reported = []

    def interrupt_once(pairs):
        reported.extend(pairs)
        if len(reported) == len(pairs):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run(
            stand_in, STUDY, SCALES, runs=3, store=url, jobs=2, chunk=2, on_chunk=interrupt_once
        )
    with Store(url) as store:
        assert set(_trained(store)) == set(reported)
    again = []
    sweep.run(stand_in, STUDY, SCALES, runs=3, store=url, jobs=2, chunk=2, on_chunk=again.extend)
    assert sorted(again + reported) == sorted((float(s), r) for s in SCALES for r in range(3))


def test_the_store_keys_a_network_by_its_settings(tmp_path):
    """Networks of another learning rate, other functions or another truth table share
    the store without being taken for those of the study asked for."""
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    sweep.run(stand_in, STUDY, SCALES, runs=2, store=url)
    for other in [
        dataclasses.replace(STUDY, learning_rate=0.5),
        dataclasses.replace(STUDY, trainer="another"),
        dataclasses.replace(STUDY, data="or"),
    ]:
        trained = []
        sweep.run(stand_in, other, SCALES, runs=2, store=url, on_chunk=trained.extend)
        assert len(trained) == 8, other


def _spread_train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    """Not training: each network's loss is the sum of its w1, whose spread is its scale."""
    loss = w1.sum(axis=(1, 2))
    return w1, b1, w2, b2, np.repeat(loss[:, None], n_epochs, axis=1)


SPREAD = types.SimpleNamespace(
    initialize_parameters=stand_in.initialize_parameters, train_many=_spread_train_many
)


def test_allocate_narrows_the_widest_error_first():
    """Each added network goes where sd/√n is then widest: twice the spread needs four
    times the networks; a scale without an error bar yet comes first."""
    assert sweep.allocate([4, 4], [1.0, 2.0], 12) == [0, 12]
    assert sweep.allocate([1, 5], [np.nan, 1.0], 1) == [1, 0]
    assert sweep.allocate([3, 3, 3], [1.0, 1.0, 1.0], 3) == [1, 1, 1]


def test_adaptive_runs_go_where_the_standard_error_is_widest(tmp_path):
    """After the base runs, the adaptive budget goes to the scale whose standard error
    is widest; a rerun with the same budget trains nothing, a larger one the rest."""
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    scales = [0.01, 1.0, 100.0]
    summary = sweep.run(SPREAD, STUDY, scales, runs=4, adaptive=6, store=url)
    assert summary.networks.tolist() == [4, 4, 10]
    assert np.argmax(summary.se["final_loss"] * np.sqrt(summary.networks)) == 2
    trained = []
    sweep.run(SPREAD, STUDY, scales, runs=4, adaptive=6, store=url, on_chunk=trained.extend)
    assert trained == []
    summary = sweep.run(SPREAD, STUDY, scales, runs=4, adaptive=9, store=url)
    assert summary.networks.tolist() == [4, 4, 13]


def test_the_plot_and_the_table_are_written(tmp_path):
    """The PNG of mean loss ± SE against scale and the CSV of the table are written,
    the CSV one row per scale with the summary's numbers."""
    summary = sweep.run(stand_in, STUDY, SCALES, runs=3)
    png = tmp_path / "out" / "sweep.png"
    ax = sweep.plot(summary, png)
    assert png.read_bytes().startswith(PNG)
    assert ax.get_xscale() == "log" and "scale" in ax.get_xlabel() and "loss" in ax.get_ylabel()
    assert "150 epochs" in ax.get_title()
    table = sweep.write_csv(summary, tmp_path / "out" / "sweep.csv").read_text().splitlines()
    assert table[0] == ("scale,networks,final_loss_mean,final_loss_se,mean_loss_mean,mean_loss_se")
    rows = [[float(v) for v in line.split(",")] for line in table[1:]]
    assert [row[0] for row in rows] == SCALES.tolist()
    assert [row[2] for row in rows] == summary.mean["final_loss"].tolist()


def test_functions_that_break_the_contract_are_named():
    """A train_many returning losses of the wrong shape, or raising, stops the sweep
    with a message naming the functions; unpicklable ones are refused for jobs > 1."""
    flat = types.SimpleNamespace(
        initialize_parameters=stand_in.initialize_parameters,
        train_many=lambda *args: (*stand_in.train_many(*args)[:4], np.zeros(3)),
    )
    with pytest.raises(sweep.SweepError, match=r"stand-in: train_many returned losses of shape"):
        sweep.run(flat, STUDY, SCALES, runs=1)
    broken = types.SimpleNamespace(initialize_parameters=None, train_many=None)
    with pytest.raises(sweep.SweepError, match="stand-in failed: TypeError"):
        sweep.run(broken, STUDY, SCALES, runs=1)
    with pytest.raises(sweep.SweepError, match="use jobs=1"):
        sweep.run(flat, STUDY, SCALES, runs=1, jobs=2)


@pytest.mark.skipif(
    not (REPO / "solutions" / "xor_bias_bce" / "reference.py").exists(),
    reason="the course has no xor_bias_bce reference yet (source/xor_bias_bce is being written)",
)
def test_a_sweep_runs_on_the_course_reference():
    """The course's xor_bias_bce reference, once built, trains a small sweep."""
    reference = sweep.CourseReference(REPO, "xor_bias_bce")
    summary = sweep.run(reference, STUDY, SCALES, runs=2)
    assert summary.networks.tolist() == [2, 2, 2, 2]
    assert np.all(np.isfinite(summary.mean["final_loss"]))


# -- xorkit sweep -------------------------------------------------------------------


def _course(tmp_path: Path, reference: bool = True) -> Path:
    """A course whose one assignment states the sweep's contract, with LEARNING_RATE
    in its settings and (``reference``) the stand-in as its built reference."""
    course = tmp_path / "course"
    (course / "source" / NAME).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("")
    package = course / "assignments" / NAME
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from autograder.checking.assignment import Assignment, Function\n\n"
        "ASSIGNMENT = Assignment(\n"
        "    __file__,\n"
        "    functions=tuple(Function(name, points=1) for name in "
        "('initialize_parameters', 'train', 'train_many')),\n"
        "    settings={'LEARNING_RATE': 1.0},\n"
        ")\n"
    )
    if reference:
        (course / "solutions" / NAME).mkdir(parents=True)
        shutil.copy(stand_in.__file__, course / "solutions" / NAME / "reference.py")
    return course


SMALL = ["--scales", "0.1:10:4", "--runs", "3", "--epochs", "100"]


@pytest.mark.slow
def test_sweep_cli_writes_the_plot_the_table_and_the_store(tmp_path):
    """`xorkit sweep` trains over two processes with the assignment's learning rate,
    writes sweeps/<assignment>.png, .csv and .db in the course and exits 0; run
    again, it trains nothing and still exits 0."""
    course = _course(tmp_path)
    args = ["sweep", "--course", str(course), *SMALL, "--jobs", "2", "--chunk", "5"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "learning rate 1 (xor_bias_bce's)" in result.output
    assert (
        "epochs 100 (given)" in result.output and "hidden units 2 (the article's)" in result.output
    )
    assert "trained 12 networks" in result.output
    folder = course / "sweeps"
    assert (folder / f"{NAME}.png").read_bytes().startswith(PNG)
    assert len((folder / f"{NAME}.csv").read_text().splitlines()) == 5
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "nothing to train: the 12 networks were stored already" in again.output


def test_sweep_cli_refuses_an_assignment_without_train_many(tmp_path):
    """An assignment whose contract has no train_many is refused in one line, exit 2."""
    course = new_course(tmp_path / "course")
    for folder in ("assignments", "source"):  # a course of xor_mlp alone
        shutil.rmtree(course / folder / "xor_bias_bce")
    for args in [["--assignment", "xor_mlp"], []]:
        result = CliRunner().invoke(main, ["sweep", "--course", str(course), *args])
        assert result.exit_code == 2
        assert "has no initialize_parameters and no train_many" in result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (course / "sweeps").exists()


@pytest.mark.parametrize(
    "args, says",
    [
        (["--scales", "10:1"], "Invalid value for --scales: '10:1' is no grid"),
        (["--store", "nosuch://x"], "cannot open the store nosuch://x: Can't load plugin"),
        (["--store", "sqlite:////no/such/folder/x.db"], "cannot open the store"),
        (["--runs", "0"], "Invalid value for '--runs'"),
    ],
)
def test_sweep_cli_bad_options_exit_2_without_a_traceback(tmp_path, args, says):
    """A bad grid, store URL or count exits 2 with a message, never a traceback."""
    course = _course(tmp_path)
    result = CliRunner().invoke(main, ["sweep", "--course", str(course), *SMALL, *args])
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_sweep_cli_without_a_reference_says_to_build(tmp_path):
    """A course whose assignment has not been built yet exits 2 and says to build it."""
    course = _course(tmp_path, reference=False)
    result = CliRunner().invoke(main, ["sweep", "--course", str(course), *SMALL])
    assert result.exit_code == 2
    assert "is missing: run `xorkit build`" in result.output


def test_an_interrupted_sweep_cli_exits_1_and_keeps_what_it_trained(tmp_path, monkeypatch):
    """Ctrl-C during `xorkit sweep` exits 1 saying what was kept; the same command
    then trains only the rest."""
    course = _course(tmp_path)
    calls = []
    train_chunk = sweep.train_chunk

    def interrupted(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return train_chunk(*args)

    monkeypatch.setattr(sweep, "train_chunk", interrupted)
    args = ["sweep", "--course", str(course), *SMALL, "--jobs", "1", "--chunk", "5"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "interrupted: the 5 networks trained are kept in sqlite:///" in result.output
    assert "run the same command again" in result.output
    monkeypatch.setattr(sweep, "train_chunk", train_chunk)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "trained 7 networks" in again.output and "5 were stored already" in again.output


def test_the_data_choices_are_the_sweeps_truth_tables():
    """`xorkit sweep --data` offers exactly the truth tables the sweep knows."""
    assert set(sweep_verb.DATA) == set(sweep.GATES)


@pytest.mark.slow
def test_the_sweep_benchmark_trains_the_same_networks_both_ways():
    """The benchmark trains every (scale, run) of the grid the article's way and with
    train_many, times both, and both give each network the same final loss."""
    from benchmarks import sweep as benchmark

    network, _ = benchmark.functions("xor_bias_bce")
    got = benchmark.compare(network, STUDY, SCALES, runs=2, jobs=2)
    assert got["networks"] == 8
    assert got["difference"] <= benchmark.SAME_LOSS
    assert got["article_s"] > 0 and got["train_many_s"] > 0 and got["ratio"] > 0
