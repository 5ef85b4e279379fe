"""The policy compiled by partial evaluation agrees with Cedar itself on every chunk, and a
condition without a sound filter is refused."""

from __future__ import annotations

import itertools
import random

import pytest

from dataward.rag import FilterCompileError, RetrievalError, RetrievalPolicy
from dataward.rag import filters as flt
from dataward.rag.model import Principal
from dataward.rag.synthetic import corpus

GROUPS = ["g0", "g1", "g2", "o'brien"]


def _chunks(n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        out.append(
            {
                "tenant": rng.choice(["acme", "globex", ""]),
                "source": rng.choice(["kb", "crm"]),
                "sensitivity": rng.randint(0, 4),
                "acl": sorted(set(rng.sample(GROUPS, rng.randint(0, 2)))),
                "purposes": sorted(set(rng.sample(["support", "legal"], rng.randint(0, 2)))),
                "entities": sorted(set(rng.sample(["US_SSN", "EMAIL_ADDRESS"], rng.randint(0, 2)))),
                "categories": sorted(
                    set(
                        rng.sample(["PII", "SECRET", "CREDENTIAL", "UNLABELLED"], rng.randint(0, 2))
                    )
                ),
            }
        )
    return out


PRINCIPALS = [
    Principal(id="ann", tenant="acme", groups=("g0", "o'brien"), clearance=2),
    Principal(id="sec", tenant="acme", groups=("g1",), clearance=4, roles=("security",)),
    Principal(id="aud", tenant="globex", groups=("g2",), clearance=4, roles=("auditor",)),
    Principal(id="none", tenant="acme", groups=(), clearance=4),
]

CUSTOM = """
permit (principal, action == Action::"retrieve", resource is Chunk)
when {
  (resource.tenant == principal.tenant || principal.roles.contains("admin")) &&
  (if resource.source == "crm" then resource.sensitivity < 3 else resource.sensitivity <= principal.clearance) &&
  ["support", "legal"].containsAny(resource.purposes) &&
  resource has acl && !resource.acl.containsAll(["g0", "g1"]) || resource.acl.contains("o'brien")
};
forbid (principal, action, resource) when { resource.entities.contains("US_SSN") && context.purpose != "legal" };
forbid (principal, action, resource) when { resource.sensitivity == 4 } unless { principal.clearance >= 4 };
"""


@pytest.mark.parametrize("text", [None, CUSTOM], ids=["builtin", "custom"])
def test_compiled_filter_agrees_with_cedar_on_every_chunk(text: str | None) -> None:
    policy = RetrievalPolicy() if text is None else RetrievalPolicy(text)
    chunks = _chunks(120, seed=3)
    for principal, purpose in itertools.product(PRINCIPALS, ["support", "legal", "x"]):
        where = policy.compile(principal, purpose)
        for chunk in chunks:
            assert flt.evaluate(where, chunk) == policy.allows(principal, purpose, chunk), (
                principal.id,
                purpose,
                chunk,
            )


def test_the_builtin_policy_compiles_to_the_expected_conditions() -> None:
    where = RetrievalPolicy().compile(PRINCIPALS[0], "support")
    assert where == flt.And(
        (
            flt.Match("tenant", ("acme",)),
            flt.Match("acl", ("g0", "o'brien")),
            flt.Match("purposes", ("support",)),
            flt.Cmp("sensitivity", "<=", 2),
            flt.Not(flt.Match("categories", ("SECRET",))),
            flt.Not(flt.Match("categories", ("CREDENTIAL",))),
            flt.Not(flt.Match("categories", ("UNLABELLED",))),
        )
    )


def test_a_caller_in_no_group_compiles_to_nothing() -> None:
    assert RetrievalPolicy().compile(PRINCIPALS[3], "support") == flt.FALSE


@pytest.mark.parametrize(
    "condition",
    [
        'resource.source like "kb*"',
        "resource.acl == principal.groups",
        'resource in Chunk::"x"',
        "resource.acl.isEmpty()",
    ],
)
def test_a_condition_without_a_sound_filter_is_refused(condition: str) -> None:
    policy = RetrievalPolicy(
        f'permit (principal, action == Action::"retrieve", resource) when {{ {condition} }};'
    )
    with pytest.raises(FilterCompileError, match=r"cannot be compiled|not supported"):
        policy.compile(PRINCIPALS[0], "support")


def test_a_policy_outside_the_schema_is_refused_at_load() -> None:
    with pytest.raises(RetrievalError, match="invalid against the schema"):
        RetrievalPolicy('permit (principal, action, resource) when { resource.owner == "x" };')
    with pytest.raises(RetrievalError, match="parse"):
        RetrievalPolicy("permit (principal, action, resource) when {")


def test_synthetic_callers_compile() -> None:
    data = corpus(10, users=5)
    for principal in data.principals:
        assert RetrievalPolicy().compile(principal, "support") != flt.TRUE
