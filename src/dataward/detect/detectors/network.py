"""Network identifiers: IP addresses (v4 and v6), MAC addresses, URLs and bare domain names.

Candidate regexes are deliberately a little wider than the formats (an IPv4 run may have a fifth
part, a MAC address a seventh group) so that ``validate`` can reject version strings, OIDs and
longer hex runs whole instead of reporting a prefix of them. Addresses are validated with
:mod:`ipaddress`; domains must end in a real top-level domain from :data:`TLDS`.
"""

from __future__ import annotations

import ipaddress
import re

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

# -- top-level domains ---------------------------------------------------------------------------

_CCTLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs "
    "bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee "
    "eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm "
    "hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb "
    "lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz "
    "na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs "
    "ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl "
    "tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
_GTLDS = (
    "com org net edu gov mil int biz info name pro aero asia cat coop jobs mobi museum tel travel "
    "xxx app dev cloud online site tech store shop blog news email agency company digital network "
    "solutions systems group world today life live space website design media studio health link "
    "xyz top club io ai"
)
TLDS: frozenset[str] = frozenset((_CCTLDS + " " + _GTLDS).split())
"""Top-level domains accepted at the end of a bare domain or a ``www.`` URL (lower case)."""

_AMBIGUOUS = (
    # file extensions: setup.py, run.sh, README.md, lib.rs, model.pt, notes.ps, mod.pm ...
    "ai am as cc gs md mk ml mm mo ms nc pk pl pm ps pt py rs sc sh so st sv tf "
    # common words and code members: self.id, df.at, np.ma, logger.info, flask.app ...
    "at by do id im in is ma me my no re sa to us app dev cloud info name tel live link"
)
CLASSIC_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "mil",
        "info",
        "biz",
        "io",
        "ai",
        "app",
        "dev",
        "co",
        "cloud",
        "online",
        "site",
        "tech",
        "store",
        "shop",
        "xyz",
        "eu",
        "asia",
        "mobi",
        "pro",
        "travel",
        "museum",
        "aero",
        "coop",
        "jobs",
        "cat",
        "tel",
    ]
)
"""Generic TLDs common enough in real hosts to trust on shape alone (two-letter ccTLDs too)."""

AMBIGUOUS_TLDS: frozenset[str] = frozenset(_AMBIGUOUS.split())
"""TLDs that end file names, code and words as often as domains: a bare domain needs context."""

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.){{1,10}}[A-Za-z]{{2,24}}"  # bounded: linear time in re

# URL characters: anything but controls, spaces, quotes, parentheses and the characters RFC 3986
# excludes; parentheses only in balanced pairs (wiki/Foo_(bar)); the last character is not sentence
# punctuation, so "see https://example.org/a." ends before the dot.
_UCH = "[^\\x00-\\x20\\x7f<>\"'`{}|\\\\^()\u00a0\u2018\u2019\u201c\u201d\u00ab\u00bb]"
_UEND = "[^\\x00-\\x20\\x7f<>\"'`{}|\\\\^()\u00a0\u2018\u2019\u201c\u201d\u00ab\u00bb.,;:!?\\[\\]*\u2026]"
_UPAREN = rf"\({_UCH}*\)"
_UPATH = rf"(?:{_UCH}|{_UPAREN})*(?:{_UEND}|{_UPAREN})"

_HEX4 = "[0-9A-Fa-f]{1,4}"
_IPV6 = (
    rf"(?:{_HEX4}|:)(?::[0-9A-Fa-f]{{0,4}}){{1,6}}"
    rf"(?::{_HEX4}(?:\.[0-9]{{1,3}}){{3}}|:{_HEX4}|:)"
)


# -- IP addresses --------------------------------------------------------------------------------


@register("ip-address")
class IpAddressDetector(PatternDetector):
    entity = "IP_ADDRESS"
    patterns = (
        Pattern("ipv4", r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:\.[0-9]+)*", 0.85),
        Pattern("ipv6", _IPV6, 0.9),
    )
    context = {
        "en": (
            "ip",
            "ipv4",
            "ipv6",
            "address",
            "host",
            "server",
            "client",
            "gateway",
            "router",
            "dns",
            "subnet",
            "login",
            "logged",
            "connect",
            "remote",
        ),
        "de": ("ip", "adresse", "host", "server", "gateway", "router", "verbindung"),
        "fr": ("ip", "adresse", "hôte", "serveur", "passerelle", "routeur", "connexion"),
        "es": ("ip", "dirección", "direccion", "servidor", "puerta", "enrutador", "conexión"),
        "it": ("ip", "indirizzo", "host", "server", "gateway", "router", "connessione"),
    }
    negative_context = {
        "en": ("version", "ver", "release", "build", "v", "oid", "snmp", "chapter", "section"),
        "de": ("version", "kapitel", "abschnitt"),
        "fr": ("version", "chapitre"),
        "es": ("versión", "version", "capítulo"),
        "it": ("versione", "capitolo"),
    }
    validator = "ipaddress"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "ipv4":
            parts = value.split(".")
            if len(parts) != 4:
                return None  # a version string or an OID: 1.2.3.4.5, 1.3.6.1.4.1
            try:
                ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
            except ValueError:
                return None
            # 1.2.3.4 is as often a version as an address: let context decide
            if all(len(p) == 1 for p in parts):
                return 0.5
            return pattern.score
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return None
        groups = sum(1 for g in re.split(r"[:.]", value) if g)
        if groups >= 3:
            return pattern.score
        return 0.5 if groups == 2 else 0.4  # fe80::1, ::1 (also code such as a::b)


# -- MAC addresses -------------------------------------------------------------------------------


@register("mac-address")
class MacAddressDetector(PatternDetector):
    entity = "MAC_ADDRESS"
    patterns = (
        Pattern("mac", r"[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5,7}", 0.85),
        Pattern(
            "mac-cisco", r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]+)*", 0.8
        ),
    )
    context = {
        "en": (
            "mac",
            "hardware",
            "ethernet",
            "wifi",
            "wi-fi",
            "wlan",
            "bssid",
            "device",
            "adapter",
            "interface",
            "nic",
        ),
        "de": ("mac", "hardware", "geräte", "gerät", "adapter", "netzwerkkarte", "wlan"),
        "fr": ("mac", "matériel", "appareil", "adaptateur", "interface", "carte"),
        "es": ("mac", "hardware", "dispositivo", "adaptador", "interfaz", "tarjeta"),
        "it": ("mac", "hardware", "dispositivo", "adattatore", "interfaccia", "scheda"),
    }
    validator = "mac-syntax"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "mac":
            if len(value) != 17 or len(set(value[2::3])) != 1:
                return None  # not six groups, or mixed separators
        elif value.count(".") != 2:
            return None
        hexdigits = value.replace(":", "").replace("-", "").replace(".", "").lower()
        if hexdigits in ("000000000000", "ffffffffffff"):
            return None  # unset and broadcast addresses identify no device
        if pattern.name == "mac-cisco":
            # a dotted run of digits is as often a number as a Cisco-style MAC address
            has_letter = any(c.isalpha() for c in hexdigits)
            has_digit = any(c.isdigit() for c in hexdigits)
            return pattern.score if has_letter and has_digit else 0.3
        return pattern.score


# -- URLs and domains ----------------------------------------------------------------------------

_WEB_CONTEXT = {
    "en": (
        "url",
        "link",
        "website",
        "site",
        "web",
        "webpage",
        "homepage",
        "visit",
        "domain",
        "host",
        "hostname",
        "dns",
        "server",
        "browse",
        "online",
    ),
    "de": (
        "url",
        "link",
        "webseite",
        "website",
        "internetseite",
        "seite",
        "homepage",
        "besuchen",
        "domain",
        "host",
        "server",
    ),
    "fr": (
        "url",
        "lien",
        "site",
        "web",
        "page",
        "visitez",
        "visiter",
        "domaine",
        "hôte",
        "serveur",
    ),
    "es": ("url", "enlace", "sitio", "web", "página", "visite", "visita", "dominio", "servidor"),
    "it": ("url", "link", "collegamento", "sito", "web", "pagina", "visita", "dominio", "server"),
}


def _host_ok(host: str) -> bool:
    """A URL host: an IP address, ``localhost``, or a dotted name ending in letters."""
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    host = host.rstrip(".").lower()
    if host == "localhost":
        return True
    labels = host.split(".")
    if len(labels) == 4 and all(lab.isdigit() for lab in labels):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    if len(labels) < 2 or not all(labels):
        return False
    tld = labels[-1]
    return (tld.isalpha() and len(tld) >= 2) or tld.startswith("xn--")


@register("url")
class UrlDetector(PatternDetector):
    entity = "URL"
    patterns = (
        Pattern("url-scheme", f"(?:https?|ftps?|sftp)://{_UPATH}", 0.9, ignore_case=True),
        Pattern(
            "url-www", rf"www\.{_HOST}(?::[0-9]{{1,5}})?(?:[/?#]{_UPATH}|/)?", 0.8, ignore_case=True
        ),
    )
    # the IP words too: a URL whose host is an IP address must outscore that address
    context = {
        lang: tuple(
            dict.fromkeys(_WEB_CONTEXT.get(lang, ()) + IpAddressDetector.context.get(lang, ()))
        )
        for lang in ("en", "de", "fr", "es", "it")
    }
    validator = "url-host"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "url-www":
            host = value[4:]
            for stop in "/?#:":
                host = host.split(stop, 1)[0]
            return pattern.score if host.rsplit(".", 1)[-1].lower() in TLDS else None
        rest = value.split("://", 1)[1]
        for stop in "/?#":
            rest = rest.split(stop, 1)[0]
        host = rest.rsplit("@", 1)[-1]
        if not host.startswith("["):
            host = host.split(":", 1)[0]
        elif "]" in host:
            host = host[: host.index("]") + 1]
        return pattern.score if _host_ok(host) else None


@register("domain-name")
class DomainNameDetector(PatternDetector):
    entity = "DOMAIN_NAME"
    patterns = (Pattern("domain", _HOST, 0.6),)
    context = _WEB_CONTEXT
    negative_context = {
        "en": (
            "file",
            "filename",
            "import",
            "module",
            "package",
            "class",
            "method",
            "function",
            "script",
            "attachment",
        ),
        "de": ("datei", "dateiname", "modul", "paket", "klasse", "methode", "funktion", "anhang"),
        "fr": ("fichier", "module", "paquet", "classe", "méthode", "fonction", "pièce"),
        "es": ("archivo", "fichero", "módulo", "paquete", "clase", "método", "función", "adjunto"),
        "it": ("file", "modulo", "pacchetto", "classe", "metodo", "funzione", "allegato"),
    }
    validator = "tld-list"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        labels = value.split(".")
        tld = labels[-1]
        if not (tld.islower() or tld.isupper()) or tld.lower() not in TLDS:
            return None  # "Done.It" is a missing space, not a domain; Foo.Bar is code
        if len(value) > 253 or all(lab.isdigit() for lab in labels[:-1]):
            return None
        if labels[0].lower() == "www":
            return None  # a www. host is a URL (the url detector reports it)
        if value.isupper():
            return 0.4  # ASP.NET, FOO.COM: shouting or a product name as often as a domain
        if tld in AMBIGUOUS_TLDS:
            return 0.55 if len(labels) >= 3 else 0.4
        if len(tld) > 2 and tld.lower() not in CLASSIC_TLDS:
            # new gTLDs (.group, .data, .run, .name) are attribute names in code far more often
            # than hosts in text: m.group, self.data, task.run
            return 0.4
        return 0.7 if len(labels) >= 3 else pattern.score
