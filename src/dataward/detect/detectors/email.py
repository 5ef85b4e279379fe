"""Email addresses."""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

# RFC 5322 also allows / = | in a local part; in text they are the separators before an
# address (a path, a query string ``email=``, a pipe-delimited log), so the span starts after them
_LOCAL = r"[A-Za-z0-9!#$%&'*+?^_`{}~-]+(?:\.[A-Za-z0-9!#$%&'*+?^_`{}~-]+)*"
# at most ten labels: an unbounded repeat costs quadratic time on the re backend for "a.a.a.…"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,24}"


@register("email")
class EmailDetector(PatternDetector):
    entity = "EMAIL_ADDRESS"
    patterns = (Pattern("email", rf"{_LOCAL}@{_DOMAIN}", 0.9),)
    context = {
        "en": ("email", "e-mail", "mail", "contact"),
        "de": ("e-mail", "mail", "adresse", "kontakt"),
        "fr": ("courriel", "mail", "adresse", "contact"),
        "es": ("correo", "electrónico", "mail", "contacto"),
        "it": ("posta", "mail", "indirizzo", "contatto"),
    }
    validator = "email-syntax"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        local, _, domain = value.rpartition("@")
        if len(local) > 64 or len(value) > 254 or ".." in value:
            return None
        if domain.rsplit(".", 1)[-1].isdigit():
            return None
        return pattern.score
