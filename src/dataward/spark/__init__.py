"""Dataward on Spark: detect, scan and protect DataFrames on the executors (extra ``spark``).

>>> import dataward.spark as dws  # doctest: +SKIP
>>> dws.detect(df, column="text").select("findings").first()  # doctest: +SKIP

The results are the in-process ones on the same rows (:mod:`dataward.spark.frames`); the
engine is compiled once on the driver and loaded once per executor process
(:mod:`dataward.spark.shipping`). ``docs/spark.md`` has sizing for a cluster and Databricks.
"""

from __future__ import annotations

from dataward.spark.frames import detect, protect, scan

__all__ = ["detect", "protect", "scan"]
