"""Settings: ``DATAWARD_*`` environment variables, then ``dataward.yaml`` (in the working
directory, else at the project root: :func:`find_config`).

Embedded defaults need no configuration at all.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    YamlConfigSettingsSource,
)

from dataward import scope as _scope
from dataward.errors import ConfigError, yaml_problem

CONFIG_FILE = "dataward.yaml"


class DetectSettings(BaseModel):
    """The ``detect:`` section of ``dataward.yaml``."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Findings scoring below this are dropped."""
    language: str | None = None
    """Context-word language (``en``, ``de``, ``fr``, ``es``, ``it``); detected when unset."""
    detectors: list[Path] = []
    """Custom detector files (YAML) loaded next to the built-ins."""
    record_budget_ms: float | None = Field(default=1000.0, ge=0.0)
    """CPU time one value may take to scan (the scanning thread's, so a busy machine does not
    count); a value past it is reported partially scanned (``partial`` on its findings), never
    dropped. ``null``: no limit."""


class NerSettings(BaseModel):
    """The ``ner:`` section: which model finds names, places, organizations and addresses."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["builtin", "none", "spacy", "gliner", "hf"] = "builtin"
    model: Path | None = None
    """Model folder (a local path; nothing is downloaded). For ``builtin``: another trained CRF."""
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("backend", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class ServerSettings(BaseModel):
    """The ``server:`` section of ``dataward.yaml``: limits of ``dataward serve``."""

    model_config = ConfigDict(extra="forbid")

    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    rate_per_second: float = Field(default=200.0, gt=0)
    """Sustained requests per second per API key."""
    burst: int = Field(default=400, gt=0)
    max_texts: int = Field(default=1000, gt=0)
    scan_roots: list[Path] = Field(default_factory=list)
    """Folders ``POST /v1/scan`` may read (default: the working directory)."""
    oidc_issuer: str | None = None
    """Accept ``Bearer`` JWTs from this issuer (``iss``) next to API keys; off when unset."""
    oidc_audience: str | None = None
    """The ``aud`` a JWT must carry."""
    oidc_jwks_path: Path | None = None
    """A local JWKS file with the issuer's public keys (nothing is fetched)."""
    oidc_role_claim: str = "dataward_role"
    """The claim that names the role (a string or a list); ``roles`` is tried next."""
    job_lost_seconds: float = Field(default=300.0, gt=0)
    """A running scan job not updated for this long (its worker stopped) reads ``lost``."""


PolicyMode = Literal["shadow", "warn", "enforce"]
"""How a policy decision is applied (:data:`dataward.policy.Mode`)."""
Unclassified = Literal["deny", "needs_approval", "allow"]
"""What a decision answers for a dataset no scan classified (``policy.unclassified``)."""
POLICY_PACKS = ("baseline", "gdpr", "hipaa", "pci", "eu-ai-act", "secrets", "dev-prod")
"""The built-in policy packs, all enabled by default. Their files are in
:data:`dataward.policy.PACKS`, which is not imported here (it needs cedarpy); a test keeps the
two equal."""


class AuditSettings(BaseModel):
    """The ``audit:`` section: the signing key, checkpoints and the external witness."""

    model_config = ConfigDict(extra="forbid")

    signing_key: Path | None = None
    """The deployment's Ed25519 signing key (PEM); default ``HOME/audit_signing.key``. Every
    host writing one store must use the same key file."""
    checkpoint_every: int = Field(default=1000, gt=0)
    """Sign a checkpoint each time the log crosses a multiple of this many events."""
    witness_url: str | None = None
    """An external witness for the latest checkpoint: an ``http(s)://`` URL (GET/POST) or a
    database URL (a second store); the witness file in ``HOME`` is always kept."""


class PolicySettings(BaseModel):
    """The ``policy:`` section of ``dataward.yaml``::

        policy:
          packs: [baseline, gdpr, hipaa, pci, eu-ai-act, secrets, dev-prod]
          paths: [policies/]          # your own .cedar files or folders
          mode: enforce               # default for every enforcement point
          modes: {inference: warn, ci: shadow}
          token_ttl_seconds: 900
          log_decisions: true
          log_writer: sync            # or background: a writer thread logs decisions in batches
          unclassified: deny          # a dataset no scan classified: deny, needs_approval, allow
          unclassified_points: {sandbox: needs_approval}

    Environment: ``DATAWARD_POLICY__<FIELD>`` like every section (lists and maps as JSON), and
    the older ``DATAWARD_POLICY_PACKS``, ``_PATHS``, ``_MODE``, ``_LOG_WRITER`` (see
    :data:`LEGACY_POLICY_ENV`).
    """

    model_config = ConfigDict(extra="forbid")

    packs: list[str] = Field(default_factory=lambda: list(POLICY_PACKS))
    paths: list[Path] = []
    """Your own ``.cedar`` files or folders, loaded next to the packs."""
    mode: PolicyMode = "enforce"
    """The mode of every enforcement point not in ``modes``."""
    modes: dict[str, PolicyMode] = {}
    token_ttl_seconds: int = Field(default=900, gt=0, le=7 * 24 * 3600)
    log_decisions: bool = True
    log_writer: Literal["background", "sync"] = "sync"
    unclassified: Unclassified = "deny"
    """The answer for a dataset the catalog does not know exactly, or that no scan classified
    (reason ``not_classified`` or ``needs_scan``); ``needs_approval`` asks a ``data-steward``."""
    unclassified_points: dict[str, Unclassified] = {}
    """``unclassified`` per enforcement point."""


LEGACY_POLICY_ENV: dict[str, tuple[str, Callable[[str], Any]]] = {
    "DATAWARD_POLICY_PACKS": ("packs", lambda v: [p.strip() for p in v.split(",") if p.strip()]),
    "DATAWARD_POLICY_PATHS": ("paths", lambda v: [p for p in v.split(os.pathsep) if p]),
    "DATAWARD_POLICY_MODE": ("mode", str),
    "DATAWARD_POLICY_LOG_WRITER": ("log_writer", str),
}
"""The documented single-underscore names of ``policy:`` fields, older than the nested
``DATAWARD_POLICY__*`` names: variable -> (field, parser). They override ``dataward.yaml``; a
nested name for the same field overrides them. Empty values are ignored, except that an empty
``DATAWARD_POLICY_PACKS`` means no packs."""


class _LegacyPolicyEnv(PydanticBaseSettingsSource):
    """Reads :data:`LEGACY_POLICY_ENV` into the ``policy`` section."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the whole section

    def __call__(self) -> dict[str, Any]:
        section = {
            field: parse(value)
            for name, (field, parse) in LEGACY_POLICY_ENV.items()
            if (value := os.environ.get(name)) or (value == "" and field == "packs")
        }
        return {"policy": section} if section else {}


HOME_FOLDER = ".dataward"
"""The name of a project's home folder, found upward from the working directory."""
HOME_MARKER = "dataward.home"
"""The file that says a ``.dataward`` folder is a Dataward home (``dataward init`` writes it)."""
HomeSource = Literal["env", "settings", "found", "default"]
"""Where the home came from: ``DATAWARD_HOME``; ``dataward.yaml`` or the caller
(``dataward.open(home=...)``); a ``.dataward`` found upward; the per-user default."""


@dataclass(frozen=True, slots=True)
class FoundHome:
    path: Path
    source: HomeSource


def find_home(start: Path | None = None) -> FoundHome:
    """The home when none is set, found like git finds a repository: the nearest ``.dataward``
    in ``start`` (default: the working directory) or a folder above it, never above your home
    folder (``~``) nor across a mount point; else the per-user default
    (``platformdirs.user_data_dir("dataward")``, ``~/.local/share/dataward`` on Linux).

    A ``.dataward`` found upward that Dataward did not make (no :data:`HOME_MARKER` file), that
    another user owns or that group or others may write is refused with :class:`ConfigError`,
    never replaced: a shared folder must not choose your keys."""
    if start is None:
        try:
            start = Path(os.getcwd())  # noqa: PTH109 (Path.cwd() raises the same, less plainly)
        except OSError:
            raise ConfigError(
                "the working directory is gone, so no home can be found from it; "
                "set DATAWARD_HOME or change to an existing folder"
            ) from None
    found = _upward(_absolute(start))
    if found is None:
        import platformdirs

        default = platformdirs.user_data_path("dataward", appauthor=False)
        return FoundHome(_absolute(default), "default")
    problem = home_problem(found)
    if problem is not None:
        raise ConfigError(
            f"{found}: refusing the home found at or above the working directory: it {problem}. "
            f"Run `dataward init` in {found.parent} to make it your home, or set DATAWARD_HOME "
            "to the home to use",
            path=str(found),
        )
    return FoundHome(found, "found")


def home_problem(folder: Path, *, marker: bool = True) -> str | None:
    """Why ``folder`` must not be used as a home found upward, or ``None``."""
    try:
        st = folder.stat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        return "belongs to another user"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        return f"may be written by group or others (mode {mode:04o}; `chmod 700` it if it is yours)"
    if marker and not (folder / HOME_MARKER).is_file():
        return f"has no {HOME_MARKER} file, so Dataward did not make it"
    return None


def _upward(start: Path) -> Path | None:
    """The nearest ``.dataward`` (any kind of file) at or above ``start``, within the limits."""
    try:
        ceiling: Path | None = Path.home().resolve().parent
    except (OSError, RuntimeError):  # no HOME and no password entry
        ceiling = None
    if ceiling is not None and ceiling not in start.parents:
        ceiling = None  # outside your home folder: up to the mount point or the root
    here = start
    try:
        device = here.stat().st_dev
    except OSError:
        return None
    while True:
        candidate = here / HOME_FOLDER
        if os.path.lexists(candidate):
            return candidate
        parent = here.parent
        if parent in (here, ceiling):
            return None
        try:
            if parent.stat().st_dev != device:  # a mount point: stop, as git does
                return None
        except OSError:
            return None
        here = parent


def find_config(start: Path | None = None) -> Path | None:
    """The ``dataward.yaml`` in use: the one in ``start`` (default: the working directory), else
    the one at the project root, the folder holding the ``.dataward`` found upward as
    :func:`find_home` finds it (whatever the home in use); never one above that root. ``None``
    when there is neither.

    A ``dataward.yaml`` beside a ``.dataward`` that :func:`find_home` would refuse is refused
    too (:class:`ConfigError`): a shared folder must not choose your settings, and passing over
    the project's settings could let data through that they would stop."""
    if start is None:
        try:
            start = Path(os.getcwd())  # noqa: PTH109
        except OSError:
            return None
    start = _absolute(start)
    here = start / CONFIG_FILE
    if here.is_file():
        return here
    found = _upward(start)
    if found is None or not (found.parent / CONFIG_FILE).is_file():
        return None
    problem = home_problem(found)
    if problem is not None:
        raise ConfigError(
            f"{found.parent / CONFIG_FILE}: refusing the settings beside {found}: it {problem}. "
            f"Run `dataward init` in {found.parent} to make it your project's home, or run "
            "from a folder with its own dataward.yaml",
            path=str(found.parent / CONFIG_FILE),
        )
    return found.parent / CONFIG_FILE


def _rebased(model: type[BaseModel], data: object, base: Path) -> object:
    """``data`` (a section of a ``dataward.yaml`` in ``base`` read from another folder) with its
    relative paths made relative to ``base``, as they were written."""
    if not isinstance(data, dict):
        return data
    out: dict[Any, Any] = {}
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        kind: Any = field.annotation if field is not None else None
        if get_origin(kind) is not list:
            kind = next((a for a in get_args(kind) if a is not type(None)), kind)  # X | None
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            value = _rebased(kind, value, base)
        elif kind is Path and isinstance(value, str):
            value = str(base / Path(value).expanduser())
        elif kind == list[Path] and isinstance(value, list):
            value = [str(base / Path(v).expanduser()) if isinstance(v, str) else v for v in value]
        out[key] = value
    return out


class _ConfigFile(YamlConfigSettingsSource):
    """The ``dataward.yaml`` of :func:`find_config`; one at the project root, read from a folder
    below it, has its relative paths taken from the root."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        self._model = settings_cls  # the base class sets settings_cls after reading
        super().__init__(settings_cls, yaml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        data = super()._read_file(file_path)
        base = Path(file_path).parent
        if base == _absolute(Path()):
            return data
        return cast(dict[str, Any], _rebased(self._model, data, base))


def _absolute(path: Path) -> Path:
    """``path`` absolute (``~`` expanded, ``..`` folded; symbolic links kept)."""
    return Path(os.path.abspath(path.expanduser()))  # noqa: PTH100 (resolve() follows links)


class Settings(BaseSettings):
    """Where Dataward keeps its state and how it behaves by default."""

    model_config = SettingsConfigDict(
        env_prefix="DATAWARD_",
        env_nested_delimiter="__",
        # an unknown key in dataward.yaml (or a DATAWARD_SECTION__KEY) is an error, never
        # ignored; other DATAWARD_* variables (DATAWARD_WEBHOOK_SECRET...) are not settings
        extra="forbid",
    )

    home: Path = Path(HOME_FOLDER)
    """Everything Dataward stores: the catalog, keys, caches (``DATAWARD_HOME``). Unset, it is
    found like git finds a repository (:func:`find_home`); always absolute once loaded."""
    database_url: str | None = None
    """The store (``DATAWARD_DATABASE_URL``); default SQLite at ``HOME/dataward.db``."""
    cache_dir: Path | None = None
    """Compiled pattern databases (``DATAWARD_CACHE_DIR``); default ``HOME/cache``."""
    detect: DetectSettings = Field(default_factory=DetectSettings)
    ner: NerSettings = Field(default_factory=NerSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    integrations: dict[str, Any] = Field(default_factory=dict)
    """The ``integrations:`` section (webhooks, Jira, ServiceNow), validated by
    :meth:`dataward.integrations.config.Integrations.from_settings`."""
    protect: dict[str, Any] = Field(default_factory=dict)
    """The ``protect:`` section, validated by :func:`dataward.protect.config.parse_config`."""
    content: dict[str, Any] = Field(default_factory=dict)
    """The ``content:`` section (custom content classes, LLM review), validated by
    :func:`dataward.classify.content.content_config`."""
    report: dict[str, Any] = Field(default_factory=dict)
    """The ``report:`` section (scheduled posture reports), validated by
    :func:`dataward.report.schedule.schedule_config`."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: DATAWARD_* (nested), the legacy policy names, then dataward.yaml.
        return (
            init_settings,
            env_settings,
            _LegacyPolicyEnv(settings_cls),
            _ConfigFile(settings_cls, find_config()),
        )

    _home_source: HomeSource = PrivateAttr("default")
    _config_file: Path | None = PrivateAttr(None)

    def model_post_init(self, context: Any, /) -> None:
        self._config_file = find_config()
        if "home" in self.model_fields_set:
            self.home = _absolute(self.home)
            env = os.environ.get("DATAWARD_HOME")
            self._home_source = "env" if env and _absolute(Path(env)) == self.home else "settings"
        else:
            found = find_home()
            self.home, self._home_source = found.path, found.source

    @property
    def home_source(self) -> HomeSource:
        """Where :attr:`home` came from (``dataward home`` prints it)."""
        return self._home_source

    @property
    def config_file(self) -> Path | None:
        """The ``dataward.yaml`` read (:func:`find_config`), ``None`` when there was none
        (``dataward home`` prints it)."""
        return self._config_file

    @property
    def cache(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.home / "cache"

    @property
    def threshold(self) -> float:
        return self.detect.threshold


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model that holds the key at the end of ``loc`` (through lists and optionals)."""
    node: object = root
    for part in loc:
        if isinstance(part, int):
            node = next((a for a in get_args(node) if a is not type(None)), None)
            continue
        if not (isinstance(node, type) and issubclass(node, BaseModel)):
            return None
        field = node.model_fields.get(part)
        node = field.annotation if field is not None else None
        args = [a for a in get_args(node) if a is not type(None)]
        if args and get_origin(node) is not list and len(args) == 1:
            node = args[0]  # X | None
    return node if isinstance(node, type) and issubclass(node, BaseModel) else None


def _problem(
    loc: tuple[int | str, ...], kind: str, message: str, root: type[BaseModel] | None = None
) -> str:
    """One validation problem; an unknown key names the closest keys of its section."""
    where = ".".join(str(p) for p in loc)
    if kind != "extra_forbidden":
        return f"{where}: {message}"
    import difflib

    prefix = "".join(f"{p}." for p in loc[:-1])
    skip = 1 if root is not None else 0  # the section name leads loc
    model = _model_at(root or Settings, loc[skip:-1])
    known = sorted(model.model_fields) if model else []
    close = difflib.get_close_matches(str(loc[-1]).lower(), known, n=2, cutoff=0.6)
    hint = " or ".join(f"'{prefix}{c}'" for c in close)
    return f"{where}: unknown setting.{f' Did you mean {hint}?' if hint else ''}"


def _check_integrations(section: dict[str, Any]) -> None:
    """The ``integrations:`` section is validated here too, so a typo stops at load."""
    from dataward.integrations.settings import IntegrationsSettings

    try:
        IntegrationsSettings.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            _problem(("integrations", *e["loc"]), e["type"], e["msg"], IntegrationsSettings)
            for e in exc.errors()
        )
        raise ConfigError(f"invalid settings ({CONFIG_FILE} or DATAWARD_*): {problems}") from None


def _inputs() -> object:
    """Everything :class:`Settings` is read from: the ``DATAWARD_*`` variables, which
    ``dataward.yaml`` (:func:`find_config`) and its bytes, and where an unset home is looked
    for (the working directory, ``HOME``, ``XDG_DATA_HOME``). Cheap next to building the
    settings (about 400 µs), which :func:`dataward.policy.decide` needs on every call."""
    env = os.environ
    names = tuple([(k, env[k]) for k in env if k[:9].upper() == "DATAWARD_"])
    try:
        cwd: str | None = os.getcwd()  # noqa: PTH109
    except OSError:
        cwd = None
    where = (cwd, env.get("HOME"), env.get("XDG_DATA_HOME"))
    config = find_config()
    try:
        return names, where, config, config.read_bytes() if config else None
    except OSError:
        return names, where, config, None


def get_settings() -> Settings:
    """The settings of the runtime in use (:mod:`dataward.scope`): its fixed ones, or for the
    process default those of ``DATAWARD_*`` and ``dataward.yaml``, built again whenever either
    changed, else the same (shared: do not modify it). Invalid ones raise :class:`ConfigError`
    naming the setting."""
    scope = _scope.current()
    if scope.settings is not None:
        return cast(Settings, scope.settings)
    key = _inputs()
    cached = scope.peek(_SCOPE_KEY)
    if cached is not None and cached[0] == key:
        return cast(Settings, cached[1])
    settings = load_settings()
    scope.put(_SCOPE_KEY, (key, settings))
    return settings


def _config_name() -> str:
    """How an error names the ``dataward.yaml`` read: by its path when it is not the working
    directory's."""
    found = find_config()
    return CONFIG_FILE if found is None or found.parent == _absolute(Path()) else str(found)


_SCOPE_KEY = "settings"
"""Where a live scope keeps the settings it last built, with what they were built from."""


def load_settings(**overrides: Any) -> Settings:
    """Build the settings now from ``overrides`` (``home=...``), ``DATAWARD_*`` and
    ``dataward.yaml``, uncached; invalid ones raise :class:`ConfigError` naming the setting."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        for e in exc.errors():  # a refused home (find_home) keeps its own message
            if isinstance(cause := e.get("ctx", {}).get("error"), ConfigError):
                raise cause from None
        problems = "; ".join(_problem(e["loc"], e["type"], e["msg"]) for e in exc.errors())
        raise ConfigError(
            f"invalid settings ({_config_name()} or DATAWARD_*): {problems}"
        ) from None
    except SettingsError as exc:  # a DATAWARD_* value that is not valid JSON where JSON is due
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise ConfigError(
            f"invalid settings (DATAWARD_*; lists and maps are JSON): {exc}{cause}"
        ) from None
    except yaml.YAMLError as exc:
        name = _config_name()
        raise ConfigError(f"{name}: invalid YAML: {yaml_problem(exc)}", path=name) from None
    if settings.integrations:
        _check_integrations(settings.integrations)
    return settings
