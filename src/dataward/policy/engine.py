"""Evaluating requests with Cedar, in-process: effects, the obligation search, explanations.

The obligation search (see :meth:`PolicyEngine.evaluate`): when the policies deny, each forbid that
fired says what lifts it (``@obligation`` transforms, ``@approval`` roles). Breadth-first over lift
sets (smallest first), the request is re-evaluated with the lifts added to ``context.transforms``
and ``context.approvals``; the first set that turns the answer into allow is then pruned to an
irredundant one (each lift whose removal still allows is dropped). Only lifts proven by
re-evaluation are returned, so an annotation that does not match its ``unless`` clause can never
produce a false allow. Evaluation errors fail closed (deny).

Before any policy, the classification gate: a dataset that is not classified (unknown to the
catalog, removed, never scanned; see :func:`dataward.policy.classification.classify_resource`) gets
``deny`` with the reason ``not_classified`` or ``needs_scan`` (``unclassified``; per point with
``unclassified_points``). ``needs_approval`` asks a ``data-steward`` approval instead; ``allow``
lets the policies decide on the tags the request declares, with a warning.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import cedarpy

from dataward.policy import loader
from dataward.policy.classification import TagResolver, classification_messages
from dataward.policy.decision import ApprovalNeeded, Decision, Effect, Mode
from dataward.policy.obligations import Obligation, obligation, parse_obligation
from dataward.policy.request import Approval, Prepared, digest, iso, prepare
from dataward.settings import Unclassified

MAX_SEARCH_EVALUATIONS = 64
"""Re-evaluations the obligation search may spend on one request."""
_FORBID_SETS_MAX = 1024
"""Cached policy sets of fired forbids (see :meth:`PolicyEngine._still_forbidden`)."""
TRAINING_ACTIONS = frozenset({"train", "fine_tune"})
UNCLASSIFIED_APPROVER = "data-steward"
"""The approver role that lifts the classification gate when ``unclassified`` is
``needs_approval``."""

_Lift = tuple[frozenset[str], frozenset[str]]  # (transforms, approver roles)
_Entities = cedarpy.Entities | str


@dataclass(frozen=True, slots=True)
class _Answer:
    allowed: bool
    reasons: tuple[str, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the policies say about one request, before modes apply."""

    effect: Effect
    reasons: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    approvals: tuple[ApprovalNeeded, ...]
    errors: tuple[str, ...]
    evaluations: int
    """Cedar evaluations spent (1 when no search was needed)."""


class PolicyEngine:
    """An active policy set (built-in packs and files), validated against Dataward's schema."""

    def __init__(
        self,
        sources: Sequence[loader.PolicySource],
        *,
        tag_resolver: TagResolver | None = None,
        modes: Mapping[str, Mode] | None = None,
        default_mode: Mode = "enforce",
        token_ttl_seconds: int = 900,
        unclassified: Unclassified = "deny",
        unclassified_points: Mapping[str, Unclassified] | None = None,
    ) -> None:
        self.sources = list(sources)
        self.policies = loader.validate(self.sources)
        self.by_id = {p.id: p for p in self.policies}
        self.revision = loader.revision(self.sources)
        self.policy_tags = frozenset(v for p in self.policies for v in _literals(p.est))
        """Every string literal of the policies: tags a request may use besides the taxonomy's."""
        self.tag_resolver = tag_resolver
        self.modes = dict(modes or {})
        self.default_mode: Mode = default_mode
        self.token_ttl_seconds = token_ttl_seconds
        self.unclassified: Unclassified = unclassified
        self.unclassified_points = dict(unclassified_points or {})
        self._policy_set = loader.build_policy_set(self.policies)
        self._schema = loader.schema()
        self._forbid_sets: dict[frozenset[str], cedarpy.PolicySet] = {}
        self._lifts: dict[str, list[_Lift] | None] = {}
        for p in self.policies:
            if p.effect != "forbid":
                continue
            approver = p.annotations.get("approval", "").strip()
            roles = frozenset({approver}) if approver else frozenset()
            if "obligation" in p.annotations:
                alts = parse_obligation(p.annotations["obligation"])
                self._lifts[p.id] = [(frozenset({alt}), roles) for alt in alts]
            elif roles:
                self._lifts[p.id] = [(frozenset(), roles)]
            else:
                self._lifts[p.id] = None

    @classmethod
    def load(
        cls, packs: Iterable[str] = (), paths: Iterable[Path] = (), **options: Any
    ) -> PolicyEngine:
        """An engine over built-in ``packs`` (names) and ``.cedar`` files or folders."""
        return cls(loader.read_sources(packs, paths), **options)

    def mode_for(self, point: str) -> Mode:
        return self.modes.get(point, self.default_mode)

    def unclassified_for(self, point: str) -> Unclassified:
        return self.unclassified_points.get(point, self.unclassified)

    def _gate(self, prepared: Prepared, point: str) -> Evaluation | None:
        """The answer for a dataset that is not classified, or ``None`` to ask the policies."""
        c = prepared.classification
        if c is None or c.classified:
            return None
        answer = self.unclassified_for(point)
        if answer == "allow":
            return None
        reason = c.status
        if answer == "needs_approval":
            if any(a.approver == UNCLASSIFIED_APPROVER for a in prepared.approvals):
                return None
            needed = (ApprovalNeeded(UNCLASSIFIED_APPROVER, (reason,)),)
            return Evaluation("needs_approval", (reason,), (), needed, (), 0)
        return Evaluation("deny", (reason,), (), (), (), 0)

    # --- evaluation ---------------------------------------------------------------------------

    def _authz(self, cedar_request: dict[str, Any], entities: _Entities) -> _Answer:
        result = cedarpy.is_authorized(cedar_request, self._policy_set, entities, self._schema)
        diag = result.diagnostics
        return _Answer(result.allowed, tuple(sorted(diag.reasons)), tuple(diag.errors))

    def _entities(self, prepared: Prepared) -> _Entities:
        """The request's entities parsed (and checked against the schema) once, for every
        evaluation of the request; the JSON text when they do not parse, so that Cedar reports
        the problem as it would have."""
        text = json.dumps(prepared.entities)
        try:
            return cedarpy.Entities.from_json_str(text, self._schema)
        except ValueError:
            return text

    def _still_forbidden(
        self, trials: Sequence[dict[str, Any]], entities: _Entities, fired: Iterable[str]
    ) -> list[bool]:
        """For each Cedar request, whether a forbid that fired during the search holds for it.

        Evaluating only those forbids is cheap; a forbid that holds makes Cedar deny whatever the
        other policies say, so a True here is the answer a full evaluation would give (a False
        proves nothing: the caller then evaluates the full set)."""
        key = frozenset(p for p in fired if p in self.by_id and self.by_id[p].effect == "forbid")
        if not key or not trials:
            return [False] * len(trials)
        policy_set = self._forbid_sets.get(key)
        if policy_set is None:
            if len(self._forbid_sets) >= _FORBID_SETS_MAX:
                self._forbid_sets.clear()
            est = {
                "staticPolicies": {p: self.by_id[p].est for p in sorted(key)},
                "templates": {},
                "templateLinks": [],
            }
            policy_set = self._forbid_sets[key] = cedarpy.PolicySet.from_json_str(json.dumps(est))
        results = cedarpy.is_authorized_batch(list(trials), policy_set, entities, self._schema)
        return [bool(r.diagnostics.reasons) for r in results]

    def prepare(
        self,
        request: Mapping[str, Any],
        approvals: Sequence[Approval] = (),
        now: datetime | None = None,
    ) -> Prepared:
        return prepare(
            request,
            approvals=approvals,
            tag_resolver=self.tag_resolver,
            now=now,
            policy_tags=self.policy_tags,
        )

    def evaluate(self, prepared: Prepared, point: str = "default") -> Evaluation:
        """The effect for a prepared request, searching obligations and approvals on deny."""
        gate = self._gate(prepared, point)
        if gate is not None:
            return gate
        entities = self._entities(prepared)
        base = self._authz(prepared.cedar, entities)
        if base.errors:
            return Evaluation("deny", base.reasons, (), (), base.errors, 1)
        if base.allowed:
            return Evaluation("allow", base.reasons, (), (), (), 1)
        if not base.reasons:  # no permit applies: nothing to lift
            return Evaluation("deny", (), (), (), (), 1)
        found, fired, spent = self._search(prepared, entities, base.reasons)
        if found is None:
            return Evaluation("deny", base.reasons, (), (), (), spent)
        transforms, roles = found
        lifted = sorted(fired)
        obligations = tuple(
            obligation(
                t, tuple(p for p in lifted if any(t in lf[0] for lf in self._lifts[p] or []))
            )
            for t in sorted(transforms)
        )
        approvals = tuple(
            ApprovalNeeded(
                r, tuple(p for p in lifted if any(r in lf[1] for lf in self._lifts[p] or []))
            )
            for r in sorted(roles)
        )
        used = {p for o in obligations for p in o.policies} | {
            p for a in approvals for p in a.policies
        }
        effect: Effect = "needs_approval" if roles else "allow_with_obligations"
        return Evaluation(effect, tuple(sorted(used)), obligations, approvals, (), spent)

    def _search(
        self, prepared: Prepared, entities: _Entities, first: tuple[str, ...]
    ) -> tuple[_Lift | None, set[str], int]:
        start: _Lift = (frozenset(), frozenset())
        fired_at: dict[_Lift, tuple[str, ...]] = {start: first}
        fired: set[str] = set(first)
        queue = deque([start])
        seen = {start}
        spent = 1
        while queue and spent < MAX_SEARCH_EVALUATIONS:
            state = queue.popleft()
            options = [self._lifts.get(pid) for pid in fired_at[state]]
            if any(opt is None for opt in options):
                continue  # a forbid that nothing lifts
            combos = []
            for combo in itertools.islice(itertools.product(*[o or [] for o in options]), 32):
                t = state[0].union(*(c[0] for c in combo))
                a = state[1].union(*(c[1] for c in combo))
                combos.append((t, a))
            # smallest first; among equals, the order the annotations list their alternatives
            ordered = sorted(dict.fromkeys(combos), key=lambda x: len(x[0]) + len(x[1]))
            for lift in ordered:
                if lift in seen or spent >= MAX_SEARCH_EVALUATIONS:
                    continue
                seen.add(lift)
                answer = self._authz(prepared.with_lifts(*lift), entities)
                spent += 1
                if answer.errors:
                    continue
                if answer.allowed:
                    pruned, extra = self._prune(prepared, entities, lift, fired)
                    return pruned, fired, spent + extra
                if answer.reasons:
                    fired.update(answer.reasons)
                    fired_at[lift] = answer.reasons
                    queue.append(lift)
        return None, fired, spent

    def _prune(
        self, prepared: Prepared, entities: _Entities, lift: _Lift, fired: Iterable[str]
    ) -> tuple[_Lift, int]:
        """Drop, in order (approvals first, then transforms, each sorted), every lift whose
        removal still allows. Each trial counts as one evaluation; trials that a fired forbid
        still denies are settled by evaluating those forbids alone, in one batch."""
        transforms, roles = set(lift[0]), set(lift[1])
        items = [("a", r) for r in sorted(roles)] + [("t", t) for t in sorted(transforms)]
        spent = 0
        denied: list[bool] = []
        for i, (kind, item) in enumerate(items):
            if len(transforms) + len(roles) == 1:
                break
            if not denied:  # (re)compute for the remaining trials against the current set
                trials = [
                    prepared.with_lifts(
                        transforms - {it} if k == "t" else transforms,
                        roles - {it} if k == "a" else roles,
                    )
                    for k, it in items[i:]
                ]
                denied = self._still_forbidden(trials, entities, fired)
            spent += 1
            if denied.pop(0):
                continue
            trial_t = transforms - {item} if kind == "t" else transforms
            trial_r = roles - {item} if kind == "a" else roles
            answer = self._authz(prepared.with_lifts(trial_t, trial_r), entities)
            if answer.allowed and not answer.errors:
                transforms, roles = trial_t, trial_r
                denied = []
        return (frozenset(transforms), frozenset(roles)), spent

    def decide_prepared(
        self,
        prepared: Prepared,
        *,
        point: str = "default",
        mode: Mode | None = None,
        issue_token: bool = True,
        key_path: Path | None = None,
        evidence: Sequence[str] = (),
        proven: Iterable[str] = (),
        notes: Sequence[str] = (),
    ) -> Decision:
        """A decision for a prepared request (no store involved).

        ``context.transforms`` are taken as given here (a what-if); a go token is issued only
        when every one of them is in ``proven`` (shown by the receipts whose digests are
        ``evidence``, see :mod:`dataward.policy.evidence`). ``notes`` become warnings."""
        ev = self.evaluate(prepared, point)
        mode = mode or self.mode_for(point)
        effect: Effect = ev.effect if mode == "enforce" else "allow"
        warnings: tuple[str, ...] = ()
        if mode == "warn" and ev.effect != "allow":
            warnings = (f"enforce mode would answer {ev.effect} ({', '.join(ev.reasons)})",)
        c = prepared.classification
        if c is not None and not c.classified and ev.effect == "allow":
            warnings += (
                f"the dataset is not classified ({c.status}); allowed because "
                f"policy.unclassified is {self.unclassified_for(point)!r} here"
                if self.unclassified_for(point) == "allow"
                else f"the dataset is not classified ({c.status}); a {UNCLASSIFIED_APPROVER} "
                "approval is in force",
            )
        warnings += tuple(notes)
        decision_id = str(uuid.uuid4())
        token = None
        claimed = set(prepared.cedar["context"]["transforms"])
        if (
            issue_token
            and ev.effect == "allow"
            and self._wants_token(prepared)
            and claimed <= set(proven)
        ):
            from dataward.policy import tokens

            token = tokens.issue_for(
                prepared, self, decision_id, key_path=key_path, evidence=evidence
            )
        return Decision(
            decision_id=decision_id,
            effect=effect,
            evaluated_effect=ev.effect,
            obligations=ev.obligations,
            approvals=ev.approvals,
            reasons=ev.reasons,
            mode=mode,
            point=point,
            policy_revision=self.revision,
            input_digest=digest(prepared.request),
            timestamp=iso(prepared.now) or "",
            expires_at=iso(prepared.expires_at),
            input=prepared.request,
            approvals_in_force=tuple(a.id for a in prepared.approvals),
            messages=classification_messages(c, ev.reasons)
            + tuple(
                self.by_id[r].reason for r in ev.reasons if r in self.by_id and self.by_id[r].reason
            ),
            warnings=warnings,
            errors=ev.errors,
            token=token,
            classification=None if c is None else c.to_dict(),
        )

    @staticmethod
    def _wants_token(prepared: Prepared) -> bool:
        ctx = prepared.cedar["context"]
        return bool(prepared.cedar["action"]["id"] in TRAINING_ACTIONS and ctx["job_id"])

    def decide(
        self,
        request: Mapping[str, Any],
        *,
        approvals: Sequence[Approval] = (),
        point: str = "default",
        mode: Mode | None = None,
        now: datetime | None = None,
        issue_token: bool = True,
    ) -> Decision:
        """Decide ``request`` with the given approvals in force (no store: see
        :func:`dataward.policy.decide` for the logged version)."""
        prepared = self.prepare(request, approvals, now)
        return self.decide_prepared(prepared, point=point, mode=mode, issue_token=issue_token)

    # --- explanations -------------------------------------------------------------------------

    @cached_property
    def _single_sets(self) -> dict[str, cedarpy.PolicySet]:
        """Each policy alone, as a permit: evaluating it says whether its conditions hold."""
        out = {}
        for p in self.policies:
            est = {**p.est, "effect": "permit"}
            out[p.id] = cedarpy.PolicySet.from_json_str(
                json.dumps({"staticPolicies": {p.id: est}, "templates": {}, "templateLinks": []})
            )
        return out

    def explain(self, prepared: Prepared) -> dict[str, Any]:
        """Which policies match the request (conditions hold), which determined the answer,
        and what lifts the forbids."""
        ev = self.evaluate(prepared)
        entities = json.dumps(prepared.entities)
        matched = []
        for p in self.policies:
            result = cedarpy.is_authorized(
                prepared.cedar, self._single_sets[p.id], entities, self._schema
            )
            if result.allowed or result.diagnostics.errors:
                matched.append(
                    {
                        "id": p.id,
                        "effect": p.effect,
                        "source": f"{p.source}:{p.line}",
                        "determining": p.id in ev.reasons,
                        "reason": p.reason,
                        "obligation": p.annotations.get("obligation"),
                        "approval": p.annotations.get("approval"),
                        "errors": list(result.diagnostics.errors),
                    }
                )
        return {
            "effect": ev.effect,
            "reasons": list(ev.reasons),
            "obligations": [o.to_dict() for o in ev.obligations],
            "approvals": [a.to_dict() for a in ev.approvals],
            "errors": list(ev.errors),
            "context": prepared.cedar["context"],
            "resource": prepared.entities[-1]["attrs"],
            "classification": (
                None if prepared.classification is None else prepared.classification.to_dict()
            ),
            "matched": matched,
            "policy_revision": self.revision,
            "policies": len(self.policies),
            "search_evaluations": ev.evaluations,
        }


def _literals(node: object) -> Iterator[str]:
    """String values (``{"Value": "PHI"}``) anywhere in a policy's JSON form."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            value = item.get("Value")
            if isinstance(value, str):
                yield value
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
