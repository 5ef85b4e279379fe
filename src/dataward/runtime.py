"""One runtime: the settings, the store, the key ring, the audit log, the engines and the
decision writer of one Dataward home, opened once and closed together.

>>> import dataward as dw
>>> with dw.open(home=tmp / "home") as rt:  # doctest: +SKIP
...     rt.decide(request).effect
...     rt.audit_log.verify().events
'allow_with_obligations'
1

:func:`dataward.open` makes one; the module-level functions (``dw.detect``, ``dw.scan``,
``dw.protect``, ``dw.decide``) use the runtime in use: the one a :func:`use` block set, else
the process's :func:`default` runtime (made on first use; its settings follow ``DATAWARD_*`` and
``dataward.yaml`` as they change). Two runtimes on two homes in one process share no store, key
ring or audit log. The state lives in the runtime's :class:`~dataward.scope.Scope`, which the
lower layers reach through :func:`dataward.scope.current` (they never import this module).

Layering: this module imports the lower layers (settings, store, audit, detect, policy, keys);
the SDK facade (:mod:`dataward`), the CLI, the server and the demo sit above it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from dataward import scope as scope_
from dataward.settings import Settings, get_settings, load_settings

if TYPE_CHECKING:
    from dataward.audit import AuditLog, Event, Receipt
    from dataward.detect.engine import Engine
    from dataward.detect.model import Finding
    from dataward.keys.ring import KeyRing
    from dataward.policy.decision import Decision
    from dataward.policy.engine import PolicyEngine
    from dataward.policy.writer import DecisionWriter
    from dataward.store import Store

__all__ = ["Runtime", "current", "default", "open", "use"]

_made = threading.Lock()
"""Held while a scope's :class:`Runtime` object is made (the default runtime is one object)."""


class Runtime:
    """The state of one Dataward deployment in this process. Everything it holds is made on
    first use and closed by :meth:`close` (or the ``with`` block)."""

    def __init__(self, settings: Settings | None = None, *, scope: scope_.Scope | None = None):
        """``settings`` fixed for the runtime's life; ``None`` reads ``DATAWARD_*`` and
        ``dataward.yaml`` on each use (the process default). ``scope``: the state to hold
        (default: a new, empty one)."""
        self.scope = scope if scope is not None else scope_.Scope(settings)
        if self.scope.owner is None:
            self.scope.owner = self  # current() inside use(self) is this object

    # -- what it holds ---------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        with self.active():
            return get_settings()

    @property
    def home(self) -> Path:
        return Path(self.settings.home)

    @property
    def store(self) -> Store:
        """The one store (decisions, audit log, catalog, key records), opened on first use."""
        from dataward.store import shared_store

        with self.active():
            return shared_store()

    @property
    def keyring(self) -> KeyRing:
        """The home's key ring (``HOME/keys.json``), created on first use."""
        from dataward.keys.ring import KeyRing

        with self.active():
            home = self.home
            ring: KeyRing = self.scope.get(
                f"keys.ring:{home.resolve()}", lambda: KeyRing.load_or_create(home)
            )
            return ring

    @property
    def audit_log(self) -> AuditLog:
        """The audit log in :attr:`store`, signed with the settings' key."""
        from dataward.audit import default_log

        with self.active():
            return default_log()

    @property
    def policy(self) -> PolicyEngine:
        """The policy engine the settings describe (packs, paths, modes)."""
        from dataward.policy.api import default_engine

        with self.active():
            return default_engine()

    @property
    def decision_writer(self) -> DecisionWriter:
        """The background writer of :attr:`store`'s decisions (``policy.log_writer:
        background``)."""
        from dataward.policy.writer import writer_for

        with self.active():
            return writer_for(self.store)

    def engine(self, entities: Iterable[str] | None = None, **options: Any) -> Engine:
        """The detection engine for these options (built-ins and the settings' custom
        detectors), as :func:`dataward.get_engine`."""
        from dataward.detect.api import get_engine

        with self.active():
            return get_engine(entities, **options)

    # -- what it does ----------------------------------------------------------------------

    def emit(
        self, event: Event, *, actor: str | None = None, subject_id: str | None = None
    ) -> Receipt:
        """Append a typed audit ``event`` (:mod:`dataward.audit.events`) to this runtime's
        audit log, as :func:`dataward.audit.record` does for the runtime in use."""
        from dataward.audit import record

        with self.active():
            return record(event, actor=actor, subject_id=subject_id)

    def detect(self, text: str, *args: Any, **kwargs: Any) -> list[Finding]:
        """:func:`dataward.detect` in this runtime."""
        from dataward.detect.api import detect

        with self.active():
            return detect(text, *args, **kwargs)

    def scan(self, *args: Any, **kwargs: Any) -> Any:
        """:func:`dataward.scan` in this runtime (its catalog, its audit log)."""
        from dataward.classify.scan import scan

        with self.active():
            return scan(*args, **kwargs)

    def protect(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        """:func:`dataward.protect` in this runtime (its key ring, its audit log)."""
        from dataward.protect.apply import protect

        kwargs.setdefault("keyring", self.keyring)
        with self.active():
            return protect(data, *args, **kwargs)

    def decide(self, request: Mapping[str, Any], **kwargs: Any) -> Decision:
        """:func:`dataward.decide` in this runtime: its policy engine, approvals and decision
        log in its store."""
        from dataward.policy.api import decide

        with self.active():
            return decide(request, **kwargs)

    # -- life ------------------------------------------------------------------------------

    @contextmanager
    def active(self) -> Iterator[Runtime]:
        """Within this block this runtime is the one in use (see :func:`use`)."""
        with scope_.using(self.scope):
            yield self

    def close(self) -> None:
        """Write queued decisions, then close what the runtime opened (newest first)."""
        self.scope.close()

    @property
    def closed(self) -> bool:
        return self.scope.closed

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        fixed = self.scope.settings
        where = f"home={str(fixed.home)!r}" if fixed is not None else "live settings"
        return f"<dataward.Runtime {where}{' closed' if self.closed else ''}>"


def open(home: str | Path | None = None, settings: Settings | None = None) -> Runtime:
    """A new runtime on ``home`` (default: the settings' home), with ``settings`` (default:
    ``DATAWARD_*`` and ``dataward.yaml``, read now and fixed for the runtime's life). Close it,
    or use it in a ``with`` block."""
    if settings is None:
        settings = load_settings(**({"home": Path(home)} if home is not None else {}))
    elif home is not None:
        settings = settings.model_copy(update={"home": Path(home)})
    return Runtime(settings)


def _runtime_of(scope: scope_.Scope) -> Runtime:
    owner = scope.owner
    if owner is None:
        with _made:
            owner = scope.owner if scope.owner is not None else Runtime(scope=scope)
    return owner  # type: ignore[no-any-return]


def default() -> Runtime:
    """The process's default runtime, made on first use (settings from the environment)."""
    return _runtime_of(scope_.default())


def current() -> Runtime:
    """The runtime in use: the one a :func:`use` block set, else :func:`default`."""
    return _runtime_of(scope_.current())


@contextmanager
def use(runtime: Runtime) -> Iterator[Runtime]:
    """Within this block (and in what it starts with a copied context: the server's request
    handlers, the decision writer) ``runtime`` is the one in use: ``dw.detect``, ``dw.decide``
    and the lower layers reach its store, keys and audit log."""
    with runtime.active():
        yield runtime
