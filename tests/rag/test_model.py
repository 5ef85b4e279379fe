"""Chunks and principals from plain mappings: bad input is one clear error naming the key,
never the text."""

from __future__ import annotations

from typing import Any

import pytest

from dataward.rag import Chunk, Principal, RetrievalError

SSN = "078-05-1120"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"id": "a", "text": SSN, "colour": "red"}, "unknown chunk keys: colour"),
        ({"text": SSN}, "non-empty string 'id'"),
        ({"id": "a", "text": 7}, "string 'text'"),
        ({"id": "a", "text": SSN, "acl": [1]}, "acl must be a list of strings"),
        ("a chunk", "not str"),
    ],
)
def test_bad_chunks(value: Any, message: str) -> None:
    with pytest.raises(RetrievalError, match=message) as err:
        Chunk.of(value)
    assert SSN not in str(err.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"id": "a", "clearance": "secret"}, "unknown sensitivity 'secret'"),
        ({"id": "a", "clearance": 9}, "out of range 0-4"),
        ({"id": "a", "clearance": True}, "level name or 0-4"),
        ({"id": ""}, "non-empty string 'id'"),
        ({"id": "a", "group": ["x"]}, "unknown principal keys: group"),
    ],
)
def test_bad_principals(value: Any, message: str) -> None:
    with pytest.raises(RetrievalError, match=message):
        Principal.of(value)


def test_a_principal_from_a_mapping() -> None:
    who = Principal.of({"id": "ann", "groups": ["b", "a", "a"], "clearance": "moderate"})
    assert who.groups == ("a", "b") and who.clearance == 2
    assert Chunk.of({"id": "x", "text": "t", "acl": "g"}).acl == ("g",)
