"""Where the weight-scale study keeps its networks: one row per trained network.

A row is keyed by everything its result depends on (the functions that
trained it, the data, the hidden size, the learning rate, the epochs, the base
seed, the scale and the run), so a rerun finds what is done and trains only the
rest, and studies with other settings share a store without mixing. Any
SQLAlchemy URL opens one; the default is SQLite, embedded, in a file
(``sqlite:///sweeps/x.db``) or in memory (``sqlite://``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

# Float(53): an IEEE double on every database, so a scale reads back equal to the
# grid's and the learning rate in the key matches exactly.
DOUBLE = sa.Float(precision=53)
KEY = ("trainer", "data", "hidden", "learning_rate", "n_epochs", "seed")  # fields of a Study

METADATA = sa.MetaData()
NETWORKS = sa.Table(
    "networks",
    METADATA,
    sa.Column("trainer", sa.String(200)),  # whose functions trained it (Study.trainer)
    sa.Column("data", sa.String(16)),  # the truth table learned
    sa.Column("hidden", sa.Integer),
    sa.Column("learning_rate", DOUBLE),
    sa.Column("n_epochs", sa.Integer),
    sa.Column("seed", sa.BigInteger),  # the study's base seed
    sa.Column("scale", DOUBLE),  # std of every initial weight and bias
    sa.Column("run", sa.Integer),
    sa.Column("final_loss", DOUBLE),  # the loss at the last epoch
    sa.Column("mean_loss", DOUBLE),  # the loss averaged over the epochs
    sa.PrimaryKeyConstraint(*KEY, "scale", "run"),
)


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message names it and says why."""


class Store:
    """The networks trained so far, in the database at ``url``."""

    def __init__(self, url: str = "sqlite://"):
        try:
            self.url = sa.engine.make_url(url)
            self.engine = sa.create_engine(self.url)
            METADATA.create_all(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the store {shown(url)}: {_first_line(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, study, rows: list[tuple[float, int, float, float]]) -> None:
        """Record (scale, run, final_loss, mean_loss) of networks of ``study``, in one
        transaction; a network already stored keeps its row (it would be the same)."""
        key = {name: getattr(study, name) for name in KEY}
        values = [
            {**key, "scale": s, "run": r, "final_loss": f, "mean_loss": m} for s, r, f, m in rows
        ]
        try:
            with self.engine.begin() as conn:
                conn.execute(self._insert(), values)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot write to {shown(self.url)}: {_first_line(exc)}") from exc

    def _insert(self):
        if self.engine.dialect.name == "sqlite":
            return sqlite.insert(NETWORKS).on_conflict_do_nothing()
        return NETWORKS.insert()  # elsewhere two sweeps writing one network at once fail

    def results(self, study, scales) -> list[dict[int, tuple[float, float]]]:
        """For each of ``scales``, run → (final_loss, mean_loss) of its stored networks."""
        where = [NETWORKS.c[name] == getattr(study, name) for name in KEY]
        columns = [NETWORKS.c[name] for name in ("scale", "run", "final_loss", "mean_loss")]
        index = {float(s): i for i, s in enumerate(scales)}
        found: list[dict[int, tuple[float, float]]] = [{} for _ in index]
        try:
            with self.engine.connect() as conn:
                for scale, run, final, mean in conn.execute(sa.select(*columns).where(*where)):
                    if scale in index:  # NULL is how SQLite stores a NaN loss
                        found[index[scale]][run] = (_number(final), _number(mean))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read {shown(self.url)}: {_first_line(exc)}") from exc
        return found


def shown(url) -> str:
    """A store's URL to print: never its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return repr(str(url))


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def _first_line(exc: Exception) -> str:
    return next(iter(str(getattr(exc, "orig", None) or exc).splitlines()), type(exc).__name__)
