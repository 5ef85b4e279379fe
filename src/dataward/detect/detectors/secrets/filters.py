"""Hard-negative filters for secrets: placeholders, templates, environment references, examples.

Every secret detector calls :func:`looks_fake` in its ``validate``: it answers why a candidate is
not a real secret (a placeholder, a template, an environment reference, a UUID, a path, a URL, a
code identifier, a run of repeated characters...) or ``None``. The reasons never quote the value.
:func:`shannon_entropy` and :func:`charset` support the entropy gates of the generic detectors.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

__all__ = [
    "charset",
    "has_secret_shape",
    "is_code_identifier",
    "is_hex_digest",
    "is_reference",
    "is_uuid",
    "looks_fake",
    "looks_like_code",
    "shannon_entropy",
]

# -- entropy -----------------------------------------------------------------------------------


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character (0.0 for an empty string)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGITS = re.compile(r"[0-9]+")
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_ALNUM = re.compile(r"[A-Za-z0-9]+")


def charset(value: str) -> str:
    """The narrowest character set of ``value``.

    One of ``digits``, ``hex``, ``alnum``, ``base64``, ``base64url``, ``ascii`` (printable ASCII)
    or ``unicode``.
    """
    if _DIGITS.fullmatch(value):
        return "digits"
    if _HEX.fullmatch(value):
        return "hex"
    if _ALNUM.fullmatch(value):
        return "alnum"
    if _B64.fullmatch(value):
        return "base64"
    if _B64URL.fullmatch(value):
        return "base64url"
    if value.isascii() and value.isprintable():
        return "ascii"
    return "unicode"


def _classes(value: str) -> int:
    """How many of lower, upper, digit, symbol occur in ``value``."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def has_secret_shape(value: str, min_length: int = 16, min_entropy: float = 3.0) -> bool:
    """Whether ``value`` looks like a random token: long enough, varied and high in entropy.

    Hex strings carry 4 bits a character at most, so their bar is lower; a token must mix at least
    two of lower case, upper case, digits and symbols.
    """
    if len(value) < min_length:
        return False
    kind = charset(value)
    if kind == "digits":
        return False
    bar = min_entropy - 0.5 if kind == "hex" else min_entropy
    # entropy of a short random string stays below log2(len): lower the bar for short values
    bar = min(bar, math.log2(len(value)) - 0.7)
    return _classes(value) >= 2 and shannon_entropy(value) >= bar


# -- shapes ------------------------------------------------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_HASH_WORDS = re.compile(
    r"hash|checksum|sha[0-9_-]*|md5|digest|commit|revision|\brev\b|integrity|etag|fingerprint"
    r"|blake|crc|sum\b|\bgit\b",
    re.IGNORECASE,
)


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID (an identifier, not a secret), braces allowed."""
    return _UUID.fullmatch(value.strip("{}")) is not None


def is_hex_digest(value: str, context: str = "") -> bool:
    """Whether ``value`` is a hex digest (MD5, SHA-1, SHA-2...) that ``context`` calls a hash.

    Without ``context`` any hex string of a standard digest length counts.
    """
    if len(value) not in _DIGEST_LENGTHS or _HEX.fullmatch(value) is None:
        return False
    return not context or _HASH_WORDS.search(context) is not None


_TEMPLATE = re.compile(
    r"\$\{[^}]*\}"  # ${VAR}
    r"|\{\{.*\}\}"  # {{ var }}
    r"|\{%.*%\}"  # {% tag %}
    r"|%\([A-Za-z_][A-Za-z0-9_]*\)[sdr]"  # %(var)s
    r"|#\{[^}]*\}"  # #{var}
    r"|\$\([^)]*\)"  # $(command)
    r"|<%.*%>"  # <%= erb %>
)
_WHOLE_TEMPLATE = re.compile(
    r"\$[A-Za-z_][A-Za-z0-9_]*"  # $VAR
    r"|\$env:[A-Za-z_][A-Za-z0-9_]*"  # $env:VAR (PowerShell)
    r"|%[A-Za-z_][A-Za-z0-9_]*%"  # %VAR% (cmd)
    r"|@[A-Za-z_][A-Za-z0-9_.]*@"  # @var@ (maven, autotools)
    r"|\{[A-Za-z_][A-Za-z0-9_.]*\}"  # {var} (format strings)
    r"|\[\[?[A-Za-z_][A-Za-z0-9_. -]*\]\]?"  # [var], [[var]]
    r"|<[^<>]{1,64}>"  # <token>, <your password>
    r"|%s|%v|%d|\{\}|\?|:[A-Za-z_][A-Za-z0-9_]*"  # printf, prepared-statement markers
    r"|__[A-Za-z0-9_]+__"  # __PLACEHOLDER__
)
_REFERENCE = re.compile(
    r"os\.environ|os\.getenv|getenv\s*\(|process\.env|import\.meta\.env|ENV\s*\[|\benv\s*\("
    r"|System\.getenv|Environment\.GetEnvironmentVariable|secrets\.[A-Za-z_]|vault:|\bvault\("
    r"|secretKeyRef|valueFrom|\bsecret\(|\bcredentials\(|\bssm:|\{\{\s*secrets\b"
    r"|\barn:aws:secretsmanager|keyvault|\bfrom_env\b|\bconfig\[|\bsettings\.[A-Z]",
    re.IGNORECASE,
)


def is_reference(value: str) -> bool:
    """Whether ``value`` is a template or a reference to the real secret held elsewhere."""
    v = value.strip()
    if _WHOLE_TEMPLATE.fullmatch(v) is not None:
        return True
    return _TEMPLATE.search(v) is not None or _REFERENCE.search(v) is not None


# -- placeholders ------------------------------------------------------------------------------

_PLACEHOLDER_PARTS = (
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "yourapi",
    "xxxx",
    "****",
    "....",
    "…",
    "redacted",
    "replace_with",
    "replace-with",
    "replaceme",
    "insert_",
    "dummy",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "notreal",
    "not_real",
    "lorem",
    "ipsum",
)
# values made only of these words (and digits, separators) say they are not real
_FAKE_VOCABULARY = frozenset(
    {
        "test",
        "tests",
        "testing",
        "tester",
        "fake",
        "sample",
        "samples",
        "demo",
        "mock",
        "mocked",
        "stub",
        "foo",
        "bar",
        "baz",
        "qux",
        "foobar",
        "todo",
        "fixme",
        "tbd",
        "none",
        "null",
        "nil",
        "undefined",
        "empty",
        "true",
        "false",
        "default",
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "secrets",
        "token",
        "key",
        "api",
        "apikey",
        "access",
        "auth",
        "my",
        "your",
        "the",
        "a",
        "here",
        "value",
        "string",
        "str",
        "text",
        "some",
        "any",
        "new",
        "old",
        "invalid",
        "wrong",
        "bad",
        "good",
        "valid",
        "random",
        "generated",
        "temp",
        "tmp",
        "hidden",
        "masked",
        "private",
        "public",
        "client",
        "user",
        "username",
        "xyz",
        "abc",
        "abcd",
        "abcdef",
        "qwerty",
        "asdf",
        "letmein",
        "hunter",
        "required",
        "optional",
        "enter",
        "set",
        "get",
        "put",
        "secure",
        "super",
        "top",
        "very",
        "s3cr3t",
        "p4ssw0rd",
        "passw0rd",
        "pa55word",
        "p455w0rd",
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_SEQUENCES = (
    "0123456789012345678901234567890",
    "9876543210987654321098765432109",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm",
)

# -- code and paths ----------------------------------------------------------------------------

_SNAKE = re.compile(r"_?[a-z][a-z]*(?:_[a-z]+)+_?|_?[A-Z][A-Z]*(?:_[A-Z]+)+_?")
_CAMEL = re.compile(r"_?[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}")
_DOTTED = re.compile(
    r"(?:[A-Za-z_$][A-Za-z0-9_$]*(?:\(\))?)(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*(?:\(\))?)+"
)
_CALL = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.:>-]*\s*\(.*\)?|new\s+[A-Za-z_].*")
# segments separated by single slashes: each iteration starts at a slash, so a string splits one
# way (the old ``(?:[...]+[\\/]?)+`` split it every way and took exponential time on a long line)
_PATH = re.compile(
    r"(?:[A-Za-z]:[\\/]|~?/|\.{1,2}[\\/])[A-Za-z0-9_. @%+-]+(?:[\\/][A-Za-z0-9_. @%+-]+)*[\\/]?"
)
_FILE = re.compile(r"[A-Za-z0-9_.-]*(?:[\\/][A-Za-z0-9_.-]+)*\.(?:[a-z]{1,4}[0-9]?)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s]*|www\.[^\s]+")
_URL_CREDENTIALS = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
_DOMAIN = re.compile(r"(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|local|internal|example|test|cloud)")
_FILE_EXTENSIONS = frozenset(
    [
        "pem",
        "key",
        "crt",
        "cer",
        "der",
        "p12",
        "pfx",
        "jks",
        "keystore",
        "json",
        "yaml",
        "yml",
        "xml",
        "txt",
        "conf",
        "cfg",
        "ini",
        "env",
        "properties",
        "toml",
        "py",
        "js",
        "ts",
        "go",
        "java",
        "rb",
        "php",
        "sh",
        "ps1",
        "bat",
        "csv",
        "log",
        "html",
        "htm",
        "md",
        "gpg",
        "asc",
        "pub",
        "ppk",
        "kdbx",
        "db",
        "sqlite",
    ]
)


def is_code_identifier(value: str) -> bool:
    """Whether ``value`` is a code identifier: snake_case or camelCase words, or a dotted name.

    Such values are variable names (``password = user_password``), not secrets. A single word
    without separators is not an identifier here; callers judge it by its context.
    """
    if _SNAKE.fullmatch(value) or _CAMEL.fullmatch(value):
        return True
    return _DOTTED.fullmatch(value) is not None and sum(c.isdigit() for c in value) <= 1


def _has_digit_run(value: str) -> bool:
    return re.search(r"[0-9]{3,}", value) is not None


def _is_path(value: str) -> bool:
    if "/" not in value and "\\" not in value:
        return bool(_FILE.fullmatch(value) and value.rsplit(".", 1)[-1].lower() in _FILE_EXTENSIONS)
    if "+" in value or value.endswith("="):
        return False  # base64
    if _PATH.fullmatch(value):
        parts = [p for p in re.split(r"[\\/]", value) if p]
        # random base64 with a slash has long mixed segments; real paths have short words
        return all(len(p) <= 40 and not _looks_random_segment(p) for p in parts)
    if _FILE.fullmatch(value):
        return value.rsplit(".", 1)[-1].lower() in _FILE_EXTENSIONS
    return False


def _looks_random_segment(part: str) -> bool:
    if len(part) < 12:
        return False
    transitions = sum(
        1
        for a, b in itertools.pairwise(part)
        if a.isalpha() and b.isalpha() and a.islower() != b.islower()
    )
    return transitions >= 4 and _classes(part) >= 3


def _only_fake_words(value: str) -> bool:
    words = [w.lower() for w in _WORD.findall(value)]
    letters = [w for w in words if not w.isdigit()]
    if not letters:
        return False
    return all(w in _FAKE_VOCABULARY for w in letters)


def _is_sequence(value: str) -> bool:
    v = value.lower()
    if len(v) < 4:
        return False
    return any(v in seq for seq in _SEQUENCES)


def looks_fake(value: str, context: str = "") -> str | None:
    """Why ``value`` is not a real secret (a placeholder, template or example), or ``None``.

    ``context`` (optional) is the text around the value, used to tell hex digests from keys.
    """
    v = value.strip().strip("\"'`")
    if not v:
        return "empty"
    lowered = v.lower()
    if is_reference(v):
        return "template or environment reference"
    for part in _PLACEHOLDER_PARTS:
        if part in lowered:
            return "placeholder"
    if len(set(v)) <= 2 or (len(v) >= 8 and len(set(lowered)) <= 3):
        return "repeated character"
    if _is_sequence(v):
        return "sequential characters"
    if _only_fake_words(v):
        return "placeholder word"
    if is_uuid(v):
        return "UUID"
    if is_hex_digest(v, context) and context:
        return "hex digest"
    if _URL.fullmatch(v) and not _URL_CREDENTIALS.search(v):
        return "URL without credentials"
    if _is_path(v):
        return "file path"
    if is_code_identifier(v):
        return "code identifier"
    if len(v) >= 12 and shannon_entropy(v) < 2.0:
        return "low entropy"
    return None


def looks_like_code(value: str) -> str | None:
    """Why an unquoted ``value`` is code (a call, a name, a literal keyword), or ``None``."""
    v = value.strip()
    if _CALL.fullmatch(v) or v.endswith(("(", "[", "{")):
        return "function call or expression"
    if _DOTTED.fullmatch(v):
        return "dotted name"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) and not re.search(r"[0-9]", v):
        return "identifier"
    if _DOMAIN.fullmatch(v.lower()):
        return "host name"
    return None
