"""Optional model-based scores: ``river``'s HalfSpaceTrees, one model per peer group.

Off by default (``Settings(model_scores=True)`` turns it on; ``pip install river``). It adds
one weak signal (``model_score``) to an event that already raised another, never an alert on
its own: an unexplained score is not evidence. The models live in the monitor (the runtime's
scope) and learn from every event; they are not written to the store, so after a restart they
learn again while the baselines, which are, keep judging.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

from dataward.monitor.event import AccessEvent
from dataward.monitor.state import Peer, Profile

THRESHOLD = 0.85
"""Scores from this (0–1) count as anomalous."""


def features(event: AccessEvent, ts: float, profile: Profile, peer: Peer) -> dict[str, float]:
    """What the model sees, each in [0, 1]: volume, hour, novelty of tables, columns, network
    and client for the principal."""
    hour = (ts % 86400) / 86400 * 2 * math.pi
    objects = event.objects or ("",)
    columns = event.columns or ("",)
    return {
        "rows": min(1.0, math.log1p(event.rows or 0) / 16),
        "hour_sin": (math.sin(hour) + 1) / 2,
        "hour_cos": (math.cos(hour) + 1) / 2,
        "new_tables": sum(o not in profile.objects for o in objects) / len(objects),
        "new_columns": sum(c not in profile.columns for c in columns) / len(columns),
        "peer_unknown": sum(o not in peer.objects for o in objects) / len(objects),
        "new_client": float(bool(event.client) and event.client not in profile.clients),
    }


class Models:
    """One HalfSpaceTrees per peer group, made on first use."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.models: dict[str, Any] = {}
        try:
            self._anomaly = importlib.import_module("river.anomaly")
        except ImportError as exc:
            from dataward.errors import ConfigError

            raise ConfigError(
                "model scores need river: pip install river", field="model_scores"
            ) from exc

    def score_and_learn(self, role: str, x: dict[str, float]) -> float:
        model = self.models.get(role)
        if model is None:
            model = self.models[role] = self._anomaly.HalfSpaceTrees(
                n_trees=10, height=6, window_size=250, seed=self.seed
            )
        score = float(model.score_one(x))
        model.learn_one(x)
        return score
