"""Generic credentials: private keys, JWTs, connection strings, passwords and named secrets.

Provider token formats live in their own modules; this family finds credentials by structure (a
PEM block, a JWT, ``scheme://user:password@host``) or by the name they are assigned to
(``password = "..."``, ``"client_secret": "..."``, ``--password ...``, ``IDENTIFIED BY '...'``).
For assignments the finding is the value only (``Pattern.group``), and ``validate`` rejects
placeholders, templates, environment references, code (names, calls) and low-entropy values.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from dataward.detect.base import PatternDetector
from dataward.detect.detectors.secrets.filters import (
    has_secret_shape,
    is_hex_digest,
    is_reference,
    looks_fake,
    looks_like_code,
    shannon_entropy,
)
from dataward.detect.model import Pattern
from dataward.detect.registry import register

# -- shared pieces -----------------------------------------------------------------------------

# A key that ends with a password word: db_password, newPassword, MYSQL_PASS, "pwd", --passwd.
# Long words may follow any prefix; short ones (pw, pwd) only a separator or nothing.
_PW_LONG = r"(?:pa?s{1,2}w(?:o?r)?d|passwort|passphrase|kennwort|contrase.a|mot[ _-]?de[ _-]?passe)"
_PW_SHORT = r"(?:pass|pwd|pw)"
_KEY_PW = rf"(?:[A-Za-z0-9_.-]{{0,32}}{_PW_LONG}|(?:[A-Za-z0-9_.-]{{0,32}}[_.-])?{_PW_SHORT})s?"
# A key that ends with a secret word: client_secret, API_KEY, accessToken, auth_token...
_SECRET_WORDS = (
    r"(?:secret|token|api[_.-]?key|access[_.-]?key|secret[_.-]?key|private[_.-]?key"
    r"|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|app[_.-]?key|auth[_.-]?key"
    r"|account[_.-]?key|credentials?|creds|auth|authorization|session[_.-]?key)"
)
_KEY_SECRET = rf"[A-Za-z0-9_.-]{{0,32}}{_SECRET_WORDS}s?"
# A key that ends with plain "key" (pkey, ANY_key): only high-entropy values count.
_KEY_KEY = r"[A-Za-z0-9_.-]{0,32}key"

_CLOSE_KEY = r"(?:\\?[\"'`\]])?"
_ASSIGN = r"\s{0,4}(?::=|=>|->|===?|!==?|[:=])\s{0,4}"
_TYPED = r"\s{0,2}:\s{0,2}[A-Za-z_][A-Za-z0-9_.<>?]*\s{0,2}=\s{0,4}"
_PAIR = r"\s{0,2},\s{0,2}"  # ("password", "value")
_CALL_OPEN = r"\s{0,2}\(\s{0,2}"
_PROSE = r"\s{1,3}(?:is|was|ist|est|es|\xe8)\s{1,3}:?\s{0,2}"
_QUOTE_OPEN = r"(?:[rbuRBUf@]|\$@?)?\\?[\"'`]"
_QUOTED = r"([^\"'`\r\n\\]+)\\?[\"'`]"
# unquoted: stops at white space, quotes, separators; takes a following ( or [ to show a call
_BARE = r"([^\s\"'`,;&<>(){}\[\]|]+[(\[]?)"


def _quoted_sep() -> str:
    return rf"(?:{_ASSIGN}|{_TYPED}|\s{{1,4}}|{_CALL_OPEN}|{_PROSE})"


def _sentence(value: str) -> bool:
    """A message such as "Enter your password", not a secret."""
    words = value.split()
    return len(words) >= 2 and sum(1 for w in words if re.fullmatch(r"[A-Za-z'.,:!?-]{2,}", w)) >= 2


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


# -- private keys ------------------------------------------------------------------------------

_PEM_KIND = r"(?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 |ED25519 |[A-Z0-9]{1,12} )?"
_PEM_BEGIN = rf"-----BEGIN {_PEM_KIND}PRIVATE KEY(?: BLOCK)?-----"
_PEM_END = r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]{16,}")


@register("private-key")
class PrivateKeyDetector(PatternDetector):
    """PEM and PGP private key blocks: the header-to-footer span, or the header line alone."""

    entity = "PRIVATE_KEY"
    patterns = (
        Pattern("pem-block", _PEM_BEGIN + r"[\s\S]*?" + _PEM_END, 0.95, boundary=False),
        Pattern("pem-header", _PEM_BEGIN, 0.85, boundary=False),
        Pattern("putty-key", r"PuTTY-User-Key-File-[0-9]: [a-z0-9-]{3,40}", 0.85),
    )
    validator = "pem-structure"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name != "pem-block":
            return pattern.score
        body = value.split("-----", 2)[-1].rsplit("-----END", 1)[0]
        if "-----BEGIN" in body:
            return None  # two headers: the first block has no footer of its own
        chunks = _PEM_BODY.findall(body)
        material = "".join(chunks)
        if len(material) < 32 or looks_fake(material) is not None:
            return None
        return pattern.score


# -- JSON web tokens ---------------------------------------------------------------------------


def _b64url_json(part: str) -> object | None:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        parsed: object = json.loads(raw.decode("utf-8"))
        return parsed
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


@register("jwt")
class JwtDetector(PatternDetector):
    """JSON web tokens: three base64url parts whose header decodes to JSON with ``alg``."""

    entity = "JWT"
    patterns = (
        Pattern(
            "jwt",
            r"ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
            0.9,
        ),
    )
    validator = "jwt-header"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        header_b64, payload_b64, signature = value.split(".", 2)
        header = _b64url_json(header_b64)
        if not isinstance(header, dict) or "alg" not in header:
            return None
        payload = _b64url_json(payload_b64)
        if not isinstance(payload, dict):
            return None
        if not signature:
            # an unsigned token (alg none) still carries claims, but is less of a credential
            return 0.6
        if len(signature) < 16 or looks_fake(signature) is not None:
            return None
        return pattern.score


# -- connection strings ------------------------------------------------------------------------

_URL_CRED = re.compile(r"://([^\s:/\"'<>]*):([^\s/@\"'<>]+)@")
# no \s* after '=': it would share spaces with the value and backtrack; the value is stripped
_KV_PASSWORD = re.compile(r"(?:password|pwd)\s*=([^;\r\n\"']*)", re.IGNORECASE)


def _bad_password(secret: str) -> bool:
    if not secret or len(secret) < 3:
        return True
    return looks_fake(secret) is not None or is_reference(secret)


@register("connection-string")
class ConnectionStringDetector(PatternDetector):
    """Database and service URLs with ``user:password@``; ODBC/JDBC/ADO.NET strings with a password."""

    entity = "CONNECTION_STRING"
    patterns = (
        Pattern(
            "url-credentials",
            r"[A-Za-z][A-Za-z0-9+.-]+://[^\s:/\"'<>]*:[^\s/@\"'<>]+@"
            r"[A-Za-z0-9._-]+(?::[0-9]{1,5})?",
            0.9,
            boundary=False,
        ),
        Pattern(
            "key-value",
            r"(?:Server|Data Source|Host|Hostname|Address|Addr|Network Address|Driver|DSN"
            r"|Provider|Database|Initial Catalog|User ID|UID|User|Username)\s*=\s*[^;\r\n\"']*;"
            r"(?:\s*[A-Za-z][A-Za-z ]*\s*=\s*[^;\r\n\"']*;)*?"
            r"\s*(?:Password|Pwd)\s*=\s*[^;\r\n\"'\s][^;\r\n\"']*",
            0.9,
            ignore_case=True,
            boundary=False,
        ),
    )
    validator = "credential-parts"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "url-credentials":
            m = _URL_CRED.search(value)
            if m is None:
                return None
            user, secret = m.group(1), m.group(2)
            if _bad_password(secret) or secret.lower() in {"password", "pass", "pwd"}:
                return None
            if user.startswith("$") or user.startswith("{"):
                return None
            return pattern.score
        m = _KV_PASSWORD.search(value)
        if m is None or _bad_password(m.group(1).strip()):
            return None
        return pattern.score


# -- passwords ---------------------------------------------------------------------------------


def _password_score(value: str, name: str, base: float) -> float | None:
    v = value.strip()
    if len(v) < 4 or len(v) > 200:
        return None
    if looks_fake(v) is not None or is_reference(v):
        return None
    if v.lower().startswith(("bearer ", "basic ", "token ")):
        return None
    quoted = name.endswith("-quoted")
    if quoted:
        if _sentence(v):
            return None
        if " " in v and _classes(v.replace(" ", "")) < 3:
            return None
    else:
        if looks_like_code(v) is not None:
            return None
        if v.isalpha():
            return None  # a word or a name: prose or a variable, not a credential
        if v.isdigit() and len(v) < 6:
            return None  # port numbers, counts
        if name.startswith("pw-space") and (_classes(v) < 2 or len(v) < 6):
            return None
    if v.startswith("$2") and v.count("$") >= 3:
        return None  # a bcrypt hash, not the password
    if is_hex_digest(v) and len(v) >= 32:
        return base - 0.25  # more likely a stored hash than a password
    return base


def _pw_patterns() -> tuple[Pattern, ...]:
    k = rf"{_KEY_PW}{_CLOSE_KEY}"
    return (
        Pattern(
            "pw-assign-quoted",
            rf"{k}{_quoted_sep()}{_QUOTE_OPEN}{_QUOTED}",
            0.8,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "pw-pair-quoted",
            rf"{k}{_PAIR}{_QUOTE_OPEN}{_QUOTED}",
            0.7,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "pw-assign-bare",
            rf"{k}(?:{_ASSIGN}|{_PROSE})(?:[(])?{_BARE}",
            0.75,
            ignore_case=True,
            group=1,
        ),
        Pattern("pw-space-bare", rf"{k}\s{{1,3}}{_BARE}", 0.65, ignore_case=True, group=1),
        Pattern(
            "sql-identified-quoted",
            rf"IDENTIFIED\s+(?:WITH\s+[A-Za-z0-9_]+\s+)?BY\s+(?:PASSWORD\s+)?{_QUOTE_OPEN}{_QUOTED}",
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "sql-identified-bare",
            rf"IDENTIFIED\s+(?:WITH\s+[A-Za-z0-9_]+\s+)?BY\s+(?:PASSWORD\s+)?{_BARE}",
            0.8,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "openssl-pass-bare",
            r"-pass(?:in|out)?\s+[\"']?pass:([^\s\"']{3,})",
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "mysql-p-bare",
            r"mysql[a-z]{0,10}\s[^\r\n]*?\s-p([^\s\"'-][^\s\"']{2,})",
            0.75,
            group=1,
            boundary=False,
        ),
        Pattern(
            "user-pass-bare",
            r"(?:-u|--user)\s{1,4}[\"']?[^\s:\"'@$]+:([^\s\"'@]{3,})",
            0.75,
            group=1,
        ),
        Pattern(
            "xml-element-quoted",
            rf"<{_KEY_PW}(?:\s[^<>]*)?>([^<\s]{{3,}})</",
            0.8,
            ignore_case=True,
            group=1,
            boundary=False,
        ),
        Pattern(
            "xml-keyvalue-quoted",
            rf"(?:key|name)\s*=\s*[\"']{_KEY_PW}[\"']\s+value\s*=\s*[\"']([^\"'\r\n]{{3,}})[\"']",
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "basic-auth-bare",
            r"Basic\s{1,3}([A-Za-z0-9+/]{8,}={0,2})",
            0.8,
            group=1,
        ),
        Pattern(
            "securestring-quoted",
            r"ConvertTo-SecureString\s+(?:-String\s+)?[\"']([^\"'\r\n]{3,})[\"']",
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("password")
class PasswordDetector(PatternDetector):
    """Passwords in code, configuration, command lines, SQL, XML and HTTP headers."""

    entity = "PASSWORD"
    patterns = _pw_patterns()
    validator = "not-placeholder"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "basic-auth-bare":
            try:
                decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
                text = decoded.decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return None
            user, sep, secret = text.partition(":")
            if not sep or not user or _bad_password(secret):
                return None
            return pattern.score
        return _password_score(value, pattern.name, pattern.score)


# -- named secrets -----------------------------------------------------------------------------

_SECRET_CONTEXT = {
    "en": (
        "secret",
        "token",
        "apikey",
        "api key",
        "api_key",
        "access key",
        "access_key",
        "credential",
        "bearer",
        "private key",
        "auth",
        "passphrase",
    ),
}
_SECRET_NEGATIVE = {
    "en": (
        "hash",
        "checksum",
        "sha1",
        "sha256",
        "sha512",
        "md5",
        "digest",
        "commit",
        "integrity",
        "fingerprint",
        "example",
        "sample",
        "uuid",
        "guid",
        "nonce",
        "salt",
    ),
}


def _secret_score(value: str, name: str, base: float) -> float | None:
    v = value.strip()
    if " " in v or len(v) > 512:
        return None
    if looks_fake(v) is not None:
        return None
    if not name.endswith("-quoted") and looks_like_code(v) is not None:
        return None
    if name.startswith("key-"):
        if not has_secret_shape(v, min_length=20, min_entropy=3.5) or _classes(v) < 3:
            return None
        return base
    if name == "standalone":
        if not has_secret_shape(v, min_length=24, min_entropy=4.0) or _classes(v) < 3:
            return None
        return base
    if not has_secret_shape(v, min_length=12, min_entropy=3.0):
        return None
    return base


@register("generic-secret")
class GenericSecretDetector(PatternDetector):
    """Values assigned to secret-like names, and high-entropy tokens next to secret words."""

    entity = "GENERIC_SECRET"
    patterns = (
        Pattern(
            "secret-assign-quoted",
            rf"{_KEY_SECRET}{_CLOSE_KEY}{_quoted_sep()}{_QUOTE_OPEN}{_QUOTED}",
            0.75,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "secret-assign-bare",
            rf"{_KEY_SECRET}{_CLOSE_KEY}(?:{_ASSIGN}|\s{{1,3}}|\s?\(){_BARE}",
            0.7,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "key-assign-quoted",
            rf"{_KEY_KEY}{_CLOSE_KEY}(?:{_ASSIGN}|{_TYPED}|{_CALL_OPEN}){_QUOTE_OPEN}{_QUOTED}",
            0.7,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "key-assign-bare",
            rf"{_KEY_KEY}{_CLOSE_KEY}{_ASSIGN}{_BARE}",
            0.65,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "bearer-bare",
            r"Bearer\s{1,3}([A-Za-z0-9._~+/-]{16,}={0,2})",
            0.75,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "xml-element-quoted",
            rf"<{_KEY_SECRET}(?:\s[^<>]*)?>([^<\s]{{8,}})</",
            0.75,
            ignore_case=True,
            group=1,
            boundary=False,
        ),
        Pattern("standalone", r"[A-Za-z0-9+/_-]{24,}={0,2}", 0.2),
    )
    context = _SECRET_CONTEXT
    negative_context = _SECRET_NEGATIVE
    validator = "entropy"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        score = _secret_score(value, pattern.name, pattern.score)
        if score is None:
            return None
        if shannon_entropy(value) > 4.5 and pattern.name != "standalone":
            score = min(1.0, score + 0.05)
        return score
