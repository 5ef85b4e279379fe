"""Who acted: the one :func:`current_actor`, and how the log records actors.

Who is acting, in order: the caller of the enclosing :func:`acting` block (the service sets it
to the API key or OIDC subject of each request), else the ``DATAWARD_ACTOR`` environment
variable (a job naming itself, e.g. ``svc:nightly-scan``), else ``user:<login name>``. Every
emitter gets its actor from :func:`dataward.audit.events.envelope`, which asks this function.

An actor is a *service* when it starts with one of :data:`SERVICE_PREFIXES` (``svc:``,
``apikey:``, ``service:``, ``system:``) or is Dataward itself (``dataward``). Every other actor
(an e-mail address, ``user:…``, an OS user name, an OIDC subject, anything unrecognised) is
taken to be a person: the log records ``subject:<ref>`` instead, where ``ref`` is the random
reference of that person's subject key, and keeps their id sealed under that key. Erasing the
person (``dataward audit erase --subject <their id>``) destroys the key, so neither the ref nor
the sealed id leads back to them, and every proof stays valid.

>>> is_service("svc:gateway"), is_service("apikey:3f2a"), is_service("alice@example.org")
(True, True, False)
>>> with acting("apikey:3f2a"):
...     current_actor()
'apikey:3f2a'
"""

from __future__ import annotations

import contextvars
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

SERVICE_PREFIXES = ("svc:", "apikey:", "service:", "system:")
"""Actors with these prefixes are service identities, recorded in clear."""
SYSTEM_ACTORS = frozenset({"dataward"})
"""Dataward's own name for what it does by itself."""
PSEUDONYM_PREFIX = "subject:"
"""How a person acting is recorded: ``subject:<ref of their subject key>``."""
ACTOR_VARIABLE = "DATAWARD_ACTOR"
"""The environment variable that names who acts outside the service (a job, a person)."""

_acting: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dataward_acting", default=None
)  # per task/thread by design (each request of the service runs in its own context)


def is_service(actor: str) -> bool:
    """Whether ``actor`` is a service identity (kept in clear); anything else is a person."""
    return actor in SYSTEM_ACTORS or actor.startswith(SERVICE_PREFIXES)


@contextmanager
def acting(actor: str) -> Iterator[None]:
    """Within this block every event is filed under ``actor`` (the service: the API key or OIDC
    subject that called); an actor an emitter names itself goes to the event's ``principal``."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_caller() -> str | None:
    """The actor of the enclosing :func:`acting` block, or ``None`` outside one."""
    return _acting.get()


def current_actor() -> str:
    """Who is acting: the :func:`acting` block's caller, else ``DATAWARD_ACTOR``, else
    ``user:<login name>`` (``user:unknown`` where the system has no name for the user)."""
    actor = _acting.get() or os.environ.get(ACTOR_VARIABLE, "").strip()
    if actor:
        return actor
    try:
        return f"user:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "user:unknown"
