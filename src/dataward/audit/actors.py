"""Who acted: service identities stay in clear, people become erasable subjects.

An actor is a *service* when it starts with one of :data:`SERVICE_PREFIXES` (``svc:``,
``apikey:``, ``service:``, ``system:``) or is Dataward itself (``dataward``). Every other actor
(an e-mail address, ``user:…``, an OS user name, an OIDC subject, anything unrecognised) is
taken to be a person: the log records ``subject:<ref>`` instead, where ``ref`` is the random
reference of that person's subject key, and keeps their id sealed under that key. Erasing the
person (``dataward audit erase --subject <their id>``) destroys the key, so neither the ref nor
the sealed id leads back to them, and every proof stays valid.

>>> is_service("svc:gateway"), is_service("apikey:3f2a"), is_service("alice@example.org")
(True, True, False)
"""

from __future__ import annotations

SERVICE_PREFIXES = ("svc:", "apikey:", "service:", "system:")
"""Actors with these prefixes are service identities, recorded in clear."""
SYSTEM_ACTORS = frozenset({"dataward"})
"""Dataward's own name for what it does by itself."""
PSEUDONYM_PREFIX = "subject:"
"""How a person acting is recorded: ``subject:<ref of their subject key>``."""


def is_service(actor: str) -> bool:
    """Whether ``actor`` is a service identity (kept in clear); anything else is a person."""
    return actor in SYSTEM_ACTORS or actor.startswith(SERVICE_PREFIXES)
