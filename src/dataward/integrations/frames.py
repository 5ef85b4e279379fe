"""``df.dataward``: detect, scan and protect pandas and polars DataFrames where they are, and
a ``map`` function for Hugging Face ``datasets``.

>>> import pandas as pd  # doctest: +SKIP
>>> import dataward.integrations.frames  # registers the accessors  # doctest: +SKIP
>>> pd.DataFrame({"text": ["mail ada@example.org"]}).dataward.detect()  # doctest: +SKIP

Importing this module registers the ``dataward`` accessor on pandas DataFrames and the
``dataward`` namespace on polars DataFrames, for whichever of the two is installed (neither is
imported otherwise); :func:`register` does it again explicitly and is harmless to repeat.
The results are the SDK's: ``df.dataward.detect()`` gives ``dw.detect`` of each text,
``df.dataward.protect(...)`` is ``dw.protect(df, ...)`` and ``df.dataward.scan()`` is
``dw.scan(df)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from dataward.errors import ConfigError, DetectorError

__all__ = ["DatawardFrame", "detect_column", "map_function", "register"]

NAME = "dataward"
"""The accessor's name: ``df.dataward``."""


def detect_column(
    texts: Sequence[str | None],
    *,
    column: str = "text",
    entities: Sequence[str] | None = None,
    threshold: float | None = None,
) -> list[list[dict[str, Any]]]:
    """For each text, ``[f.to_dict() for f in dw.detect(text, entities, threshold)]`` (a null or
    empty text: ``[]``). A text that ran past ``detect.record_budget_ms`` raises
    :class:`~dataward.errors.DetectorError`: a partial list is never returned as complete."""
    from dataward.detect.api import get_engine

    engine = get_engine(entities, threshold=threshold)
    out: list[list[dict[str, Any]]] = []
    for i, text in enumerate(texts):
        if text is not None and not isinstance(text, str):
            raise ConfigError(
                f"row {i} of column {column!r} is {type(text).__name__}, not text: "
                "detect reads strings; cast the column first",
                column=column,
                row=i,
            )
        found = engine.detect(text) if text else []
        if getattr(found, "partial", False):
            raise DetectorError(
                f"row {i} of column {column!r} ran past the detection time budget "
                "(detect.record_budget_ms): raise it or split the text",
                column=column,
                row=i,
            )
        out.append([f.to_dict() for f in found])
    return out


class DatawardFrame:
    """What ``df.dataward`` is, on a pandas or a polars DataFrame."""

    def __init__(self, df: Any) -> None:
        self._df = df

    def detect(
        self,
        column: str = "text",
        *,
        output: str = "findings",
        entities: Sequence[str] | None = None,
        threshold: float | None = None,
    ) -> Any:
        """A copy of the DataFrame with a column ``output``: the findings of each text of
        ``column`` as dicts (``entity``, ``start``, ``end``, ``score``, ``detector``)."""
        df = self._df
        if column not in df.columns:
            raise ConfigError(f"the DataFrame has no column {column!r}", column=column)
        if output in df.columns:
            raise ConfigError(f"the DataFrame already has a column {output!r}: pass output=...")
        found = detect_column(
            _pandas_texts(df[column]) if _is_pandas(df) else df.get_column(column).to_list(),
            column=column,
            entities=entities,
            threshold=threshold,
        )
        if _is_pandas(df):
            return df.assign(**{output: found})
        import polars as pl

        return df.with_columns(pl.Series(output, found))

    def scan(self, **options: Any) -> Any:
        """``dw.scan(df, **options)``: the classification of its columns."""
        from dataward.classify.scan import scan

        return scan(self._df, **options)

    def protect(self, rules: Any = None, **options: Any) -> Any:
        """``dw.protect(df, rules, **options)``: a protected DataFrame of the same kind (with
        ``decision=``: a ``ProtectResult`` holding it and the signed receipt)."""
        from dataward.protect.apply import protect

        return protect(self._df, rules, **options)


def _pandas_texts(series: Any) -> list[Any]:
    """The column's values with pandas' missing markers (``NaN``, ``NA``) as ``None``."""
    missing = series.isna().tolist()
    return [None if gone else v for v, gone in zip(series.tolist(), missing, strict=True)]


def _is_pandas(df: Any) -> bool:
    return type(df).__module__.split(".")[0] == "pandas"


def map_function(
    column: str = "text",
    *,
    output: str = "findings",
    entities: Sequence[str] | None = None,
    threshold: float | None = None,
    protect: bool = False,
    rules: Any = None,
) -> Callable[[dict[str, list[Any]]], dict[str, list[Any]]]:
    """A function for ``datasets.Dataset.map(fn, batched=True)``: it adds ``output`` (the
    findings of each text of ``column``) or, with ``protect=True``, replaces ``column`` by its
    protected text (``dw.protect`` of each text with ``rules``)."""

    def run(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        if column not in batch:
            raise ConfigError(f"the dataset has no column {column!r}", column=column)
        texts = batch[column]
        if protect:
            from dataward.protect.apply import protect_text

            return {
                **batch,
                column: [None if t is None else protect_text(t, rules) for t in texts],
            }
        return {
            **batch,
            output: detect_column(texts, column=column, entities=entities, threshold=threshold),
        }

    return run


def register() -> list[str]:
    """Register ``df.dataward`` on pandas and polars (those installed); returns their names."""
    done = []
    try:
        pd = importlib.import_module("pandas")
    except ImportError:
        pd = None
    if pd is not None:
        if not hasattr(pd.DataFrame, NAME):
            pd.api.extensions.register_dataframe_accessor(NAME)(DatawardFrame)
        done.append("pandas")
    try:
        pl = importlib.import_module("polars")
    except ImportError:
        pl = None
    if pl is not None:
        if not hasattr(pl.DataFrame, NAME):
            pl.api.register_dataframe_namespace(NAME)(DatawardFrame)
        done.append("polars")
    return done


register()
