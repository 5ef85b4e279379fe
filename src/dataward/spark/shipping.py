"""What the driver sends to Spark's executors, and how an executor loads it once per process.

A detection engine is compiled once, on the driver. It travels as its pickle: an
:class:`~dataward.detect.engine.Engine` pickles its detectors and its *serialized* Hyperscan
database (``Engine.__getstate__``), so an executor deserializes the database
(``hyperscan.loadb``) instead of compiling every pattern again. The pickle goes out once per job
as a Spark broadcast variable (kept by each executor, not resent with every task) and is loaded
once per Python worker process: the loaded object lives in that process's runtime scope
(:func:`dataward.scope.current`) under the pickle's digest, so the next task of the job, and of
any later job with the same engine, finds it there. PySpark reuses its Python workers between
tasks (``spark.python.worker.reuse``, on by default), so an executor core builds it once.

Spark Connect has no broadcast variables: there the pickle rides in the task's closure.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from typing import Any

from dataward import scope

__all__ = ["Shipped", "ship"]


@dataclass(frozen=True, slots=True)
class Shipped:
    """A pickled object on its way to the executors: its digest and where its bytes are."""

    digest: str
    broadcast: Any
    """A ``pyspark.Broadcast`` of the pickle, or ``None`` (Spark Connect: see :attr:`blob`)."""
    blob: bytes | None
    """The pickle itself when there is no broadcast."""
    kind: str

    def load(self) -> Any:
        """The object, unpickled once per process and kept in the runtime scope in use (on an
        executor: the process's default runtime)."""

        def make() -> Any:
            data = self.blob if self.blob is not None else self.broadcast.value
            return pickle.loads(data)

        return scope.current().get(f"{scope.SHARED}spark.{self.kind}:{self.digest}", make)


def ship(spark: Any, obj: Any, kind: str) -> Shipped:
    """Pickle ``obj`` on the driver and make it reachable from the executors of ``spark`` (a
    ``SparkSession``)."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(data).hexdigest()[:24]
    context = _spark_context(spark)
    if context is None:
        return Shipped(digest, None, data, kind)
    return Shipped(digest, context.broadcast(data), None, kind)


def _spark_context(spark: Any) -> Any:
    """The session's ``SparkContext``, or ``None`` under Spark Connect (which has none)."""
    try:
        return spark.sparkContext
    except Exception:  # Spark Connect raises on sparkContext: ship in the closure instead
        return None
