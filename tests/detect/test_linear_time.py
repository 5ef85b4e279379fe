"""No input can make a pattern of the package backtrack super-linearly.

Every pattern is found by importing every module of ``dataward.detect`` and collecting compiled
``re`` patterns (module and class attributes, also inside tuples and dicts), the regex literals of
``re.*`` calls in the source, and the patterns of every registered detector. Raw ``re`` patterns
must pass the ReDoS check; detector patterns run through :class:`LinearPattern`, which sends any
the check flags to RE2. Adversarial texts then run through the whole engine: they must complete
with the right findings (a hang is the failure; nothing here measures time).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from dataward.detect import Engine
from dataward.detect.linear import LinearPattern, UnsafePatternError, problems


def _modules() -> list[ModuleType]:
    package = importlib.import_module("dataward.detect")
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, "dataward.detect.")
    ]


def _patterns_in(obj: Any, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(obj, re.Pattern):
        yield obj
    elif depth < 3 and isinstance(obj, (tuple, list, set, frozenset)):
        for item in obj:
            yield from _patterns_in(item, depth + 1)
    elif depth < 3 and isinstance(obj, dict):
        for item in obj.values():
            yield from _patterns_in(item, depth + 1)


def _compiled_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            owners = [value]
            if inspect.isclass(value) and value.__module__ == module.__name__:
                owners.extend(vars(value).values())
            for owner in owners:
                for pattern in _patterns_in(owner):
                    found.setdefault(f"{module.__name__}.{name}: {pattern.pattern[:60]}", pattern)
    return found


_RE_CALLS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "split"}


def _inline_patterns() -> dict[str, str]:
    """Regex literals passed to ``re.<call>`` anywhere in the source of the package."""
    found: dict[str, str] = {}
    for module in _modules():
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _RE_CALLS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[f"{module.__name__}:{node.lineno}"] = node.args[0].value
    return found


OLD_PATH = r"(?:[A-Za-z]:[\\/]|~?/|\.{1,2}[\\/])(?:[A-Za-z0-9_. @%+-]+[\\/]?)+"


@pytest.mark.parametrize(
    ("regex", "problem"),
    [
        (OLD_PATH, "nested quantifier"),
        (r"(a+)+b", "nested quantifier"),
        (r"(?:a|ab|b)+c", "nested quantifier"),
        (r"(?:\w|\d+)*x", "nested quantifier"),
        (r"(a*)*", "empty string"),
        (r"\w+\d+x", "overlapping quantifiers"),
        (r"x.*=.*;", "overlapping quantifiers"),
        (r"([a-z]+)\1", "back-reference"),
    ],
)
def test_the_check_flags_backtracking_shapes(regex: str, problem: str) -> None:
    assert any(problem in p for p in problems(regex)), problems(regex)


@pytest.mark.parametrize(
    "regex",
    [
        r"(?:[a-z0-9-]+\.)+(?:com|org)",  # each iteration ends at a dot
        r"_?[a-z]+(?:[A-Z][a-z]+)+",  # each iteration starts with a capital
        r"[0-9]+(?:[-./][0-9]+){3,}",
        r"(?:[A-Za-z_$][A-Za-z0-9_$]*)(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*)+",
        r"(?:[^()\s]|\([^()\s]*\))*",  # alternatives start differently
        r"([-./ ])[0-9]{2}\1",  # a back-reference to one character
        r"[A-Za-z0-9+/]+={0,2}",
    ],
)
def test_the_check_passes_linear_shapes(regex: str) -> None:
    assert problems(regex) == []


def test_every_compiled_re_pattern_in_the_package_is_linear() -> None:
    found = _compiled_patterns()
    assert len(found) > 30  # the walk sees the filters, validators and detector helpers
    flagged = {name: problems(p.pattern, p.flags) for name, p in found.items()}
    assert {name: why for name, why in flagged.items() if why} == {}


def test_every_inline_regex_in_the_package_is_linear() -> None:
    found = _inline_patterns()
    assert found
    flagged = {name: problems(regex) for name, regex in found.items()}
    assert {name: why for name, why in flagged.items() if why} == {}


def test_every_detector_pattern_runs_on_a_linear_engine() -> None:
    engine = Engine.default()
    assert engine.pattern_count > 300
    for compiled in engine._compiled:
        regex = compiled.regex
        assert isinstance(regex, LinearPattern)
        if problems(regex.pattern, regex.flags):
            assert regex.linear_engine_only, compiled.pattern.name
    # the phone pattern's digit groups split a digit run many ways: it runs on RE2
    assert any(c.regex.linear_engine_only for c in engine._compiled if c.detector.name == "phone")


def test_a_flagged_pattern_that_re2_cannot_run_is_refused() -> None:
    with pytest.raises(UnsafePatternError, match="nested quantifier"):
        LinearPattern(r"(?:[a-z]+/?)+(?=;)", name="x")
    assert LinearPattern(r"(?:[a-z]+/?)+;").search("/usr/lib;") is not None


# -- adversarial texts through the whole engine --------------------------------------------------

SECRET = "ghp_" + "Zq7x41CanaryT0kenAb" + "cDeFgHiJkLmNoP"  # 40 characters, a GitHub token shape


def github_line(items: int) -> str:
    """A minified GitHub search API response (the line that hung the engine)."""
    out = []
    for i in range(items):
        base = f"https://api.github.com/repos/octo-org{i}/widget-service{i}"
        out.append(
            {
                "url": base,
                "labels_url": base + "/labels{/name}",
                "contents_url": base + "/contents/{+path}",
                "git_commits_url": base + "/git/commits{/sha}",
                "title": "Build fails on /usr/local/lib/python3.11/site-packages/widget/core.py",
                "body": "token=/home/runner/work/widget-service/widget-service/node_modules/"
                "core/lib/index.js:42 then C:\\Users\\dev\\AppData\\Local\\Temp\\widget\\log.txt",
                "score": 1.0,
            }
        )
    return json.dumps({"total_count": items, "items": out}, separators=(",", ":"))


ADVERSARIAL = {
    "github-json": lambda n: github_line(max(1, n // 900)),
    "path-like": lambda n: ("/home/runner/work/widget-service" * (n // 32 + 1))[:n] + ":42",
    "path-no-slash": lambda n: "token=/" + "a" * n + ":",
    "base64": lambda n: ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5K/" * (n // 50 + 1))[:n],
    "separators": lambda n: "a" + "-/. " * (n // 4) + "!",
    "digits": lambda n: "1" * n + "x",
    "digit-groups": lambda n: "12 " * (n // 3) + "!",
    "json-nesting": lambda n: "[" * (n // 2) + "]" * (n // 2),
}


@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
def test_adversarial_texts_complete_with_the_right_findings(kind: str) -> None:
    engine = Engine.default(backend="hyperscan")
    text = ADVERSARIAL[kind](100_000)
    engine.detect(text)  # completes (before: the path and JSON texts never did)
    # a real secret and e-mail stay found next to the adversarial text
    tail = f' {{"token": "{SECRET}", "mail": "zq7x41.canary@probemail-dw.net"}}'
    found = {(f.entity, (text + tail)[f.start : f.end]) for f in engine.detect(text + tail)}
    assert ("EMAIL_ADDRESS", "zq7x41.canary@probemail-dw.net") in found
    assert any(value == SECRET for _entity, value in found)


def test_the_line_that_hung_the_engine_completes_in_a_subprocess() -> None:
    """The reported GitHub API line, through ``dataward.detect`` in a fresh interpreter; the
    generous timeout turns a hang into a failure instead of a stuck test run."""
    code = "import sys, dataward as dw\nline = sys.stdin.read()\nprint(len(dw.detect(line)))\n"
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=github_line(20),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) > 0


@pytest.mark.parametrize("kind", ["base64", "github-json", "separators"])
def test_long_texts_are_prefiltered_by_parts_with_the_same_hits(kind: str) -> None:
    """Long texts go through several smaller Hyperscan databases (one database of every pattern
    slowed down more than linearly on long runs without separators); the hits are the same."""
    from dataward.detect.prefilter import LONG_SCAN

    engine = Engine.default(backend="hyperscan")
    prefilter = engine._prefilter
    text = ADVERSARIAL[kind](LONG_SCAN * 2) + f" {SECRET} zq7x41.canary@probemail-dw.net"
    whole: list[int] = []
    prefilter.db.scan(  # type: ignore[union-attr]
        text.encode(), match_event_handler=lambda pid, *_: whole.append(pid)
    )
    expected = sorted(set(whole) | set(prefilter.always))  # type: ignore[union-attr]
    assert prefilter.hits(text) == expected  # type: ignore[union-attr]
    assert len(expected) > 1


def test_routing_scans_whole_values_with_a_linear_engine() -> None:
    """The string and comment finders of text-type routing ran on Python's re over the whole
    value: every unclosed quote rescanned to the end of its line (20,000 took 14 s). They run
    on RE2 now, with the same spans."""
    from dataward.detect import routing

    assert type(routing._STRING).__module__.startswith("re2")
    assert type(routing._COMMENT).__module__.startswith("re2")
    assert routing.prose_spans('{"k": ' + '"\\' * 20_000) == []
    code = 'x = "Anna Berg lives here"  # call Mark Olsen today\ny = 1'
    spans = [code[a:b] for a, b in routing.prose_spans(code, "code")]
    assert "Anna Berg lives here" in spans and any("Mark Olsen" in s for s in spans)
