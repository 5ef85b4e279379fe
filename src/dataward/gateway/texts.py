"""The texts of an OpenAI request or response: where they are, and how to change them in place.

A chat request holds text in ``messages[].content`` (a string, or parts with ``text``), in
``messages[].tool_calls[].function.arguments`` (JSON text) and in tool results; a Responses
request in ``input`` (a string or items), ``instructions``, ``function_call.arguments`` and
``function_call_output.output``. :func:`request_texts` finds them as :class:`Text` slots;
tool-call arguments that are JSON are opened, and each string inside is its own slot, so a
value is found and replaced as a value and the arguments stay valid JSON.

The request's end-user fields (``user``, ``safety_identifier``, ``prompt_cache_key``) and the
string values of its ``metadata`` are slots too: applications often put an e-mail address
there. Everything else (ids, roles, model names, tool names) passes untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

TEXT_KEYS = frozenset({"content", "text", "arguments", "output", "refusal", "instructions"})
"""Keys whose string values are prompt or completion text."""
ID_KEYS = ("user", "safety_identifier", "prompt_cache_key")
"""Top-level request fields naming the end user (OpenAI's): scanned like the prompt."""
JSON_KEYS = frozenset({"arguments"})
"""Keys whose string values are JSON text (a tool call's arguments)."""


@dataclass(slots=True)
class Text:
    """One string in a JSON document: ``holder[key]``."""

    holder: dict[str, Any] | list[Any]
    key: str | int
    text: str

    def set(self, value: str) -> None:
        self.holder[self.key] = value  # type: ignore[index]


@dataclass(slots=True)
class JsonText:
    """A string holding JSON (tool-call arguments) whose strings are slots of their own;
    :meth:`write` puts the changed document back as JSON text."""

    holder: dict[str, Any] | list[Any]
    key: str | int
    document: Any

    def write(self) -> None:
        self.holder[self.key] = json.dumps(self.document, ensure_ascii=False)  # type: ignore[index]


def _strings(node: Any) -> Iterator[Text]:
    """Every string value inside a parsed JSON document (object keys are left alone)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                yield Text(node, key, value)
            elif isinstance(value, dict | list):
                yield from _strings(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, str):
                yield Text(node, index, value)
            elif isinstance(value, dict | list):
                yield from _strings(value)


def _walk(node: Any, texts: list[Text], documents: list[JsonText]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, texts, documents)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if isinstance(value, str) and key in TEXT_KEYS:
            if key in JSON_KEYS:
                try:
                    document = json.loads(value)
                except ValueError:
                    document = None
                if isinstance(document, dict | list):
                    documents.append(JsonText(node, key, document))
                    texts.extend(_strings(document))
                    continue
            texts.append(Text(node, key, value))
        elif isinstance(value, dict | list):
            _walk(value, texts, documents)


def request_texts(body: dict[str, Any]) -> tuple[list[Text], list[JsonText]]:
    """The prompt texts of a chat or Responses request body (see the module docstring)."""
    texts: list[Text] = []
    documents: list[JsonText] = []
    _walk(body.get("messages"), texts, documents)
    for key in ("input", "instructions"):
        value = body.get(key)
        if isinstance(value, str):
            texts.append(Text(body, key, value))
        else:
            _walk(value, texts, documents)
    for key in ID_KEYS:  # an end-user id is often an e-mail address
        value = body.get(key)
        if isinstance(value, str):
            texts.append(Text(body, key, value))
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        texts.extend(_strings(metadata))
    return texts, documents


def map_strings(node: Any, change: Callable[[str, bool], str], *, json_string: bool = False) -> Any:
    """A copy of a response document with ``change(text, json_string)`` applied to each
    string value (``json_string``: the value is a tool call's JSON arguments)."""
    if isinstance(node, dict):
        return {
            key: (
                change(value, key in JSON_KEYS)
                if isinstance(value, str)
                else map_strings(value, change)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [
            change(v, json_string) if isinstance(v, str) else map_strings(v, change) for v in node
        ]
    return node


def completion_texts(node: Any) -> Iterator[str]:
    """The completion texts of a response document (the values under :data:`TEXT_KEYS`),
    for scanning."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key in TEXT_KEYS:
                yield value
            elif isinstance(value, dict | list):
                yield from completion_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from completion_texts(value)
