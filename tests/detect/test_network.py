"""IP and MAC addresses, URLs and domain names: hits with exact spans, near-misses, both backends."""

from __future__ import annotations

import pytest

from dataward.detect.detectors.network import (
    AMBIGUOUS_TLDS,
    TLDS,
    DomainNameDetector,
    IpAddressDetector,
    MacAddressDetector,
    UrlDetector,
)
from dataward.detect.engine import Backend, Engine

BACKENDS: tuple[Backend, ...] = ("hyperscan", "re")
_DETECTORS = [IpAddressDetector(), MacAddressDetector(), UrlDetector(), DomainNameDetector()]
_ENGINES = {b: Engine(_DETECTORS, backend=b) for b in BACKENDS}


def found(text: str) -> list[tuple[str, str]]:
    """(entity, matched text) of every finding; both backends must agree exactly."""
    results = [_ENGINES[b].detect(text) for b in BACKENDS]
    assert results[0] == results[1]
    return [(f.entity, text[f.start : f.end]) for f in results[0]]


HITS = [
    # IPv4
    ("Server IP 192.168.1.100 is down.", "IP_ADDRESS", "192.168.1.100"),
    ("connect to 10.0.0.1.", "IP_ADDRESS", "10.0.0.1"),
    ("from 8.8.8.8 via dns", "IP_ADDRESS", "8.8.8.8"),
    ("route 172.16.254.3/24 added", "IP_ADDRESS", "172.16.254.3"),
    ("peer=203.0.113.195,", "IP_ADDRESS", "203.0.113.195"),
    ("logged from 255.255.255.255", "IP_ADDRESS", "255.255.255.255"),
    # IPv6
    (
        "IPv6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok",
        "IP_ADDRESS",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ),
    ("host 2001:db8::1 up", "IP_ADDRESS", "2001:db8::1"),
    ("mapped ::ffff:192.0.2.128 here", "IP_ADDRESS", "::ffff:192.0.2.128"),
    ("if fe80::1ff:fe23:4567:890a%eth0", "IP_ADDRESS", "fe80::1ff:fe23:4567:890a"),
    ("client 2001:DB8:0:0:8:800:200C:417A.", "IP_ADDRESS", "2001:DB8:0:0:8:800:200C:417A"),
    # MAC
    ("MAC 00:1A:2B:3C:4D:5E", "MAC_ADDRESS", "00:1A:2B:3C:4D:5E"),
    ("device 00-1a-2b-3c-4d-5e,", "MAC_ADDRESS", "00-1a-2b-3c-4d-5e"),
    ("switch port 0012.3456.789a up", "MAC_ADDRESS", "0012.3456.789a"),
    ("bssid=a4:5e:60:e8:1f:03;", "MAC_ADDRESS", "a4:5e:60:e8:1f:03"),
    # URL
    (
        "Visit https://www.example.com/path?q=1&r=2.",
        "URL",
        "https://www.example.com/path?q=1&r=2",
    ),
    ("See (https://example.org/a_(b)) now", "URL", "https://example.org/a_(b)"),
    ("“https://example.com/x” quoted", "URL", "https://example.com/x"),
    ("<http://example.com/a> angle", "URL", "http://example.com/a"),
    (
        "get ftp://files.example.net/pub/file.tar.gz!",
        "URL",
        "ftp://files.example.net/pub/file.tar.gz",
    ),
    ("go to www.example.co.uk/about, then", "URL", "www.example.co.uk/about"),
    ("WWW.EXAMPLE.COM", "URL", "WWW.EXAMPLE.COM"),
    ("api http://localhost:8080/api;", "URL", "http://localhost:8080/api"),
    ("admin http://192.168.0.1/setup", "URL", "http://192.168.0.1/setup"),
    ("node http://[2001:db8::1]:8080/", "URL", "http://[2001:db8::1]:8080/"),
    ("https://de.wikipedia.org/wiki/München ok", "URL", "https://de.wikipedia.org/wiki/München"),
    ("HTTPS://User:pw@Example.org:8443/x#frag", "URL", "HTTPS://User:pw@Example.org:8443/x#frag"),
    # domain names
    ("domain example.com is ours", "DOMAIN_NAME", "example.com"),
    ("read bbc.co.uk today", "DOMAIN_NAME", "bbc.co.uk"),
    ("hosted at sub.domain.example.io.", "DOMAIN_NAME", "sub.domain.example.io"),
    ("Schau auf spiegel.de nach", "DOMAIN_NAME", "spiegel.de"),
    ("mi-sitio-web.es", "DOMAIN_NAME", "mi-sitio-web.es"),
    ("visit onet.pl", "DOMAIN_NAME", "onet.pl"),  # ambiguous TLD, found with context
]


@pytest.mark.parametrize(("text", "entity", "value"), HITS)
def test_hits(text: str, entity: str, value: str) -> None:
    assert found(text) == [(entity, value)]
    (f,) = _ENGINES["re"].detect(text)
    assert (f.start, f.end) == (text.index(value), text.index(value) + len(value))


NEAR_MISSES = [
    # IPv4 look-alikes
    "version 1.2.3.4 released",
    "OID 1.3.6.1.4.1.311",
    "999.1.1.1 bad",
    "256.300.1.1",
    "values 3.14 and 1.2.3",
    "build v1.2.3.4",
    "ver 10.0.19041.1",
    # IPv6 look-alikes
    "std::vector<int> v;",
    "at 10:30:45 today",
    "2023-01-15T10:30:00Z",
    "ratio 1:2:3",
    "a::b::c",
    "2001:db8:::1 broken",
    # MAC look-alikes
    "00:00:00:00:00:00 and FF:FF:FF:FF:FF:FF",
    "00:1A:2B-3C:4D:5E mixed",
    "00:1A:2B:3C:4D five",
    "00:1a:2b:3c:4d:5e:6f seven",
    "serial 1234.5678.9012",
    # URLs and domains
    "url http:// nothing",
    "http://nohost/path",
    "http://1.2.3.999/x",
    "www.example.notatld",
    "report.pdf and photo.jpg and index.html",
    "setup.py and README.md and run.sh and lib.rs",
    "obj.method() and logger.info('x') and self.name",
    "import java.io.File;",
    "Done.It was fine.",
    "ASP.NET framework",
    "e.g. this, i.e. that, U.S.A.",
    "Node.js and Vue.js",
    "1.5 million",
    "",
    "The meeting is scheduled for next week in the main office.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_version_like_ipv4_needs_context() -> None:
    assert found("1.2.3.4") == [("IP_ADDRESS", "1.2.3.4")]  # at the threshold
    assert found("ip address 1.2.3.4") == [("IP_ADDRESS", "1.2.3.4")]
    assert found("version 1.2.3.4") == []
    (f,) = _ENGINES["re"].detect("ip address 1.2.3.4")
    assert f.score > 0.8


def test_loopback_ipv6_needs_context() -> None:
    assert found("loopback ::1 only") == []
    assert found("server address fe80::1") == [("IP_ADDRESS", "fe80::1")]


def test_ipv6_wins_over_embedded_ipv4() -> None:
    assert found("::ffff:10.1.2.3") == [("IP_ADDRESS", "::ffff:10.1.2.3")]


def test_url_wins_over_its_host() -> None:
    assert found("site www.example.com") == [("URL", "www.example.com")]
    assert found("domain https://example.com/x") == [("URL", "https://example.com/x")]
    assert found("server http://10.0.0.5/status") == [("URL", "http://10.0.0.5/status")]


def test_cisco_mac_of_digits_needs_context() -> None:
    assert found("1234.5678.9012") == []
    assert found("mac 1234.5678.9012") == [("MAC_ADDRESS", "1234.5678.9012")]


@pytest.mark.parametrize("value", ["setup.py", "readme.md", "df.at", "logger.info", "flask.app"])
def test_ambiguous_tlds_need_context(value: str) -> None:
    assert found(f"see {value} now") == []
    assert found(f"the website {value}") == [("DOMAIN_NAME", value)]


def test_domain_negative_context() -> None:
    assert found("google.de") == [("DOMAIN_NAME", "google.de")]
    assert found("import module google.de") == []


def test_tld_lists() -> None:
    assert {"com", "org", "net", "de", "uk", "fr", "io"} <= TLDS
    assert AMBIGUOUS_TLDS <= TLDS
    assert all(t.islower() and t.isalpha() for t in TLDS)
    assert {"pdf", "txt", "html", "js", "jpg", "exe"}.isdisjoint(TLDS)


def test_entities_and_registry_names() -> None:
    assert [d.name for d in _DETECTORS] == ["ip-address", "mac-address", "url", "domain-name"]
    assert [d.entities for d in _DETECTORS] == [
        ("IP_ADDRESS",),
        ("MAC_ADDRESS",),
        ("URL",),
        ("DOMAIN_NAME",),
    ]


@pytest.mark.parametrize("backend", ["hyperscan", "re"])
@pytest.mark.parametrize("text", ["return m.group(1)", "self.data = x", "task.run()", "obj.name"])
def test_code_attribute_access_is_not_a_domain(backend: str, text: str) -> None:
    from dataward.detect import Engine
    from dataward.detect.detectors.network import DomainNameDetector

    assert Engine([DomainNameDetector()], backend=backend).detect(text) == []  # type: ignore[arg-type]
