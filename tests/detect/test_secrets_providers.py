"""Provider secret formats: a generated, format-valid value per provider and a near miss for each.

Values are generated from a fixed seed (no real-looking secret sits in the repository verbatim) and
run through the engine on both the ``hyperscan`` and ``re`` backends, which must agree.
"""

from __future__ import annotations

import base64
import functools
import random
import re
import zlib

import bech32
import pytest

from dataward.detect.base import PatternDetector
from dataward.detect.detectors import load_builtins
from dataward.detect.detectors.secrets._provider import ProviderDetector, base62
from dataward.detect.engine import Engine, available_backends
from dataward.detect.registry import detectors
from dataward.taxonomy import taxonomy

load_builtins()

_CLASSES = {
    "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "l": "abcdefghijklmnopqrstuvwxyz",
    "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "U": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "m": "abcdefghijklmnopqrstuvwxyz0123456789",
    "d": "0123456789",
    "b": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    "s": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "3": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
}
_SPEC = re.compile(r"\{([a-zA-Z3])(\d+)\}|\{uuid\}")


def gen(template: str, seed: str) -> str:
    """Fill ``{a30}`` (30 characters of class ``a``) and ``{uuid}`` with seeded random text."""
    rng = random.Random(seed)

    def fill(m: re.Match[str]) -> str:
        if m.group(0) == "{uuid}":
            h = "".join(rng.choice(_CLASSES["h"]) for _ in range(32))
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return "".join(rng.choice(_CLASSES[m.group(1)]) for _ in range(int(m.group(2))))

    return _SPEC.sub(fill, template)


def crc_token(prefix: str, seed: str, good: bool = True) -> str:
    body = gen("{a30}", seed)
    check = base62(zlib.crc32(body.encode()))
    if not good:
        check = check[::-1] if check[::-1] != check else "ZZZZZZ"
    return prefix + body + check


def discord_token(seed: str, snowflake: bool = True) -> str:
    ident = gen("{d18}", seed) if snowflake else gen("{L18}", seed)
    head = base64.b64encode(ident.encode()).decode().rstrip("=")
    return head + "." + gen("{b6}.{b38}", seed)


def jira_pat(seed: str, numeric: bool = True) -> str:
    rng = random.Random(seed)
    ident = gen("{d12}", seed) if numeric else gen("{L12}", seed)
    raw = ident.encode() + b":" + bytes(rng.randrange(256) for _ in range(20))
    return base64.b64encode(raw).decode()


def age_key(seed: str, good: bool = True) -> str:
    rng = random.Random(seed)
    data = bech32.convertbits([rng.randrange(256) for _ in range(32)], 8, 5)
    key = str(bech32.bech32_encode("age-secret-key-", data)).upper()
    return key if good else key[:-1] + ("Q" if key[-1] != "Q" else "P")


def nkey_seed(seed: str, good: bool = True) -> str:
    rng = random.Random(seed)
    prefix = bytes([(18 << 3) | (160 >> 5), (160 & 31) << 3])  # seed of a user key: "SU"
    raw = prefix + bytes(rng.randrange(256) for _ in range(32))
    crc = 0
    for byte in raw:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    if not good:
        crc ^= 0x5A5A
    return base64.b32encode(raw + crc.to_bytes(2, "little")).decode().rstrip("=")


# (detector, entity, text before, value, text after, near miss text)
T = gen  # short alias for the table
CASES: list[tuple[str, str, str, str, str, str]] = [
    # cloud
    (
        "aws-access-key",
        "AWS_ACCESS_KEY",
        "id=",
        T("AKIA{316}", "aws1"),
        "",
        "id=" + T("AKIA{315}", "aws1"),
    ),
    (
        "aws-secret-key",
        "AWS_SECRET_KEY",
        "aws_secret_access_key = ",
        T("{s38}Aa", "aws2"),
        "",
        "value = " + T("{s38}Aa", "aws2"),
    ),
    (
        "aws-mws-key",
        "API_KEY",
        "",
        T("amzn.mws.{h8}-{h4}-{h4}-{h4}-{h12}", "mws"),
        "",
        T("amzn.mws.{h8}-{h4}-{h4}-{h4}-{h11}", "mws"),
    ),
    ("aws-bedrock-key", "API_KEY", "", T("ABSK{s120}", "bedrock"), "", T("ABSK{s60}", "bedrock")),
    ("aws-appsync-key", "API_KEY", "", T("da2-{m26}", "appsync"), "", T("da2-{m20}", "appsync")),
    ("google-api-key", "GOOGLE_API_KEY", "", T("AIza{b35}", "gapi"), "", T("AIza{b30}", "gapi")),
    (
        "google-oauth-secret",
        "GOOGLE_OAUTH_SECRET",
        "",
        T("GOCSPX-{b28}", "gocspx"),
        "",
        "GOCSPX-your-client-secret-here-xxxx",
    ),
    (
        "google-oauth-token",
        "GOOGLE_OAUTH_TOKEN",
        "",
        T("ya29.{b60}", "ya29"),
        "",
        T("ya29.{b10}", "ya29"),
    ),
    (
        "gcp-service-account",
        "GCP_SERVICE_ACCOUNT_KEY",
        '"private_key_id": "',
        T("{h40}", "gcp"),
        '"',
        '"key_id": "' + T("{h40}", "gcp") + '"',
    ),
    (
        "azure-storage-key",
        "AZURE_STORAGE_KEY",
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=",
        T("{s86}==", "az1"),
        ";",
        "AccountKey=${AZURE_STORAGE_KEY};",
    ),
    (
        "azure-client-secret",
        "AZURE_CLIENT_SECRET",
        "",
        T("{a3}8Q~{b34}", "az2"),
        "",
        T("{a3}8Q-{b34}", "az2"),
    ),
    (
        "alibaba-access-key",
        "ALIBABA_ACCESS_KEY",
        "",
        T("LTAI{a20}", "ali"),
        "",
        T("LTAI{a8}", "ali"),
    ),
    (
        "digitalocean-token",
        "DIGITALOCEAN_TOKEN",
        "",
        T("dop_v1_{h64}", "do"),
        "",
        T("dop_v1_{h60}", "do"),
    ),
    (
        "cloudflare-token",
        "API_KEY",
        "CLOUDFLARE_API_TOKEN=",
        T("{b40}", "cf"),
        "",
        "API_TOKEN=" + T("{b40}", "cf"),
    ),
    ("heroku-key", "API_KEY", "", T("HRKU-{b60}", "heroku"), "", T("HRKU-{b30}", "heroku")),
    (
        "linode-token",
        "API_KEY",
        "LINODE_TOKEN: ",
        T("{h64}", "linode"),
        "",
        "TOKEN: " + T("{h64}", "linode"),
    ),
    ("databricks-token", "API_KEY", "", T("dapi{h32}", "dbx"), "", T("dapi{h31}", "dbx")),
    (
        "hashicorp-vault-token",
        "HASHICORP_TOKEN",
        "",
        T("hvs.{b90}", "vault"),
        "",
        T("hvs.{b10}", "vault"),
    ),
    (
        "terraform-cloud-token",
        "HASHICORP_TOKEN",
        "",
        T("{a14}.atlasv1.{b67}", "tf"),
        "",
        T("{a14}.atlasv1.{b20}", "tf"),
    ),
    ("doppler-token", "API_KEY", "", T("dp.pt.{a43}", "doppler"), "", T("dp.pt.{a20}", "doppler")),
    ("pulumi-token", "API_KEY", "", T("pul-{h40}", "pulumi"), "", T("pul-{h39}", "pulumi")),
    ("onepassword-token", "API_KEY", "", T("ops_eyJ{b300}", "1p"), "", T("ops_eyJ{b50}", "1p")),
    ("age-secret-key", "API_KEY", "", age_key("age"), "", age_key("age", good=False)),
    (
        "akamai-credentials",
        "API_KEY",
        "",
        T("akab-{m16}-{m16}", "akamai"),
        "",
        T("akab-{m16}-{m10}", "akamai"),
    ),
    ("paas-tokens", "API_KEY", "", T("nfp_{a36}", "netlify"), "", T("nfp_{a30}", "netlify")),
    (
        "firebase-fcm-key",
        "API_KEY",
        "",
        T("AAAA{b7}:APA91b{b134}", "fcm"),
        "",
        T("AAAA{b7}:APA91b{b100}", "fcm"),
    ),
    (
        "docker-swarm",
        "API_KEY",
        "",
        T("SWMTKN-1-{m50}-{m25}", "swarm"),
        "",
        T("SWMTKN-1-{m50}-{m20}", "swarm"),
    ),
    ("salesforce-token", "API_KEY", "", T("00D{a12}!{a90}", "sf"), "", T("00D{a12}!{a20}", "sf")),
    ("nats-nkey", "API_KEY", "", nkey_seed("nkey"), "", nkey_seed("nkey", good=False)),
    # developer platforms
    (
        "github-token",
        "GITHUB_TOKEN",
        "",
        crc_token("ghp_", "gh"),
        "",
        crc_token("ghp_", "gh", good=False),
    ),
    (
        "github-token",
        "GITHUB_TOKEN",
        "",
        T("github_pat_{a22}_{a59}", "ghfg"),
        "",
        T("github_pat_{a22}_{a30}", "ghfg"),
    ),
    ("gitlab-token", "GITLAB_TOKEN", "", T("glpat-{b20}", "gl"), "", T("glpat-{b12}", "gl")),
    (
        "atlassian-token",
        "ATLASSIAN_TOKEN",
        "",
        T("ATATT3{b180}", "atl"),
        "",
        T("ATATT3{b30}", "atl"),
    ),
    (
        "atlassian-token",
        "ATLASSIAN_TOKEN",
        "",
        jira_pat("jira"),
        "",
        jira_pat("jira", numeric=False),
    ),
    (
        "npm-token",
        "NPM_TOKEN",
        "",
        crc_token("npm_", "npm"),
        "",
        crc_token("npm_", "npm", good=False),
    ),
    (
        "pypi-token",
        "PYPI_TOKEN",
        "",
        T("pypi-AgEIcHlwaS5vcmc{b150}", "pypi"),
        "",
        T("pypi-AgEIcHlwaS5vcmc{b20}", "pypi"),
    ),
    ("rubygems-key", "API_KEY", "", T("rubygems_{h48}", "gems"), "", T("rubygems_{h40}", "gems")),
    ("nuget-key", "API_KEY", "", T("oy2{m43}", "nuget"), "", T("oy2{m40}", "nuget")),
    (
        "docker-hub-token",
        "DOCKER_TOKEN",
        "",
        T("dckr_pat_{b27}", "docker"),
        "",
        "dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ),
    (
        "clojars-token",
        "API_KEY",
        "",
        T("CLOJARS_{m60}", "clojars"),
        "",
        T("CLOJARS_{m50}", "clojars"),
    ),
    ("jfrog-token", "API_KEY", "", T("AKCp{a69}", "jfrog"), "", T("AKCp{a50}", "jfrog")),
    ("snyk-token", "API_KEY", "SNYK_TOKEN=", T("{uuid}", "snyk"), "", "ID=" + T("{uuid}", "snyk")),
    ("sonar-token", "API_KEY", "", T("sqp_{h40}", "sonar"), "", T("sqp_{h30}", "sonar")),
    (
        "postman-key",
        "API_KEY",
        "",
        T("PMAK-{h24}-{h34}", "postman"),
        "",
        T("PMAK-{h24}-{h30}", "postman"),
    ),
    (
        "ci-tokens",
        "API_KEY",
        "",
        T("CCIPAT_{a22}_{h40}", "circle"),
        "",
        T("CCIPAT_{a22}_{h30}", "circle"),
    ),
    (
        "travis-token",
        "API_KEY",
        "travis_api_token: ",
        T("{b22}", "travis"),
        "",
        "api_token: " + T("{b22}", "travis"),
    ),
    # SaaS: chat, payments, email
    (
        "slack-token",
        "SLACK_TOKEN",
        "",
        T("xoxb-{d12}-{d13}-{a24}", "slack"),
        "",
        "xoxb-your-token-here",
    ),
    (
        "slack-webhook",
        "SLACK_WEBHOOK",
        "https://",
        T("hooks.slack.com/services/T{U10}/B{U10}/{a24}", "hook"),
        "",
        T("https://hooks.slack.com/services/T{U10}/B{U10}/{a10}", "hook"),
    ),
    (
        "discord-webhook",
        "DISCORD_WEBHOOK",
        "https://",
        T("discord.com/api/webhooks/{d18}/{b68}", "dwh"),
        "",
        T("https://discord.com/api/webhooks/{d18}/{b20}", "dwh"),
    ),
    (
        "discord-bot-token",
        "DISCORD_TOKEN",
        "",
        discord_token("dbot"),
        "",
        discord_token("dbot", snowflake=False),
    ),
    (
        "telegram-bot-token",
        "TELEGRAM_BOT_TOKEN",
        "",
        T("{d10}:AA{b33}", "tg"),
        "",
        T("{d10}:AB{b33}", "tg"),
    ),
    (
        "teams-webhook",
        "TEAMS_WEBHOOK",
        "https://",
        T(
            "contoso.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{h32}/{uuid}",
            "teams",
        ),
        "",
        T(
            "https://contoso.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{h20}/{uuid}",
            "teams",
        ),
    ),
    ("twilio-key", "TWILIO_KEY", "", T("SK{h32}", "twilio"), "", T("SK{h30}", "twilio")),
    ("sendgrid-key", "SENDGRID_KEY", "", T("SG.{b22}.{b43}", "sg"), "", T("SG.{b22}.{b20}", "sg")),
    ("mailgun-key", "MAILGUN_KEY", "", T("key-{h32}", "mailgun"), "", T("key-{h30}", "mailgun")),
    (
        "mailchimp-key",
        "MAILCHIMP_KEY",
        "",
        T("{h32}-us12", "mailchimp"),
        "",
        T("{h32}-eu12", "mailchimp"),
    ),
    (
        "email-sms-keys",
        "API_KEY",
        "",
        T("xkeysib-{h64}-{a16}", "brevo"),
        "",
        T("xkeysib-{h64}-{a8}", "brevo"),
    ),
    (
        "stripe-key",
        "STRIPE_KEY",
        "",
        T("sk_live_{a24}", "stripe"),
        "",
        T("pk_live_{a24}", "stripe"),
    ),
    (
        "square-token",
        "SQUARE_TOKEN",
        "",
        T("sq0csp-{b43}", "square"),
        "",
        T("sq0csp-{b20}", "square"),
    ),
    (
        "braintree-token",
        "API_KEY",
        "",
        T("access_token$production${m16}${h32}", "bt"),
        "",
        T("access_token$production${m16}${h20}", "bt"),
    ),
    (
        "shopify-token",
        "SHOPIFY_TOKEN",
        "",
        T("shpat_{h32}", "shopify"),
        "",
        T("shpat_{h30}", "shopify"),
    ),
    (
        "payment-keys",
        "API_KEY",
        "",
        T("access-production-{uuid}", "plaid"),
        "",
        T("access-staging-{uuid}", "plaid"),
    ),
    ("facebook-token", "API_KEY", "", T("EAAG{a150}", "fb"), "", T("EAAG{a40}", "fb")),
    (
        "twitter-token",
        "API_KEY",
        "",
        T("AAAAAAAAAAAAAAAAAAAAA{a60}", "tw"),
        "",
        T("AAAAAAAAAAAAAAAAAAAAA{a10}", "tw"),
    ),
    (
        "social-keys",
        "API_KEY",
        "",
        T("pat-na1-{uuid}", "hubspot"),
        "",
        T("pat-xx1-{uuid}", "hubspot"),
    ),
    # AI
    (
        "openai-key",
        "OPENAI_API_KEY",
        "",
        T("sk-proj-{b64}T3BlbkFJ{b64}", "openai"),
        "",
        "sk-your-key-here",
    ),
    (
        "anthropic-key",
        "ANTHROPIC_API_KEY",
        "",
        T("sk-ant-api03-{b93}AA", "anthropic"),
        "",
        T("sk-ant-api03-{b40}", "anthropic"),
    ),
    ("huggingface-token", "HUGGINGFACE_TOKEN", "", T("hf_{L34}", "hf"), "", T("hf_{L20}", "hf")),
    ("groq-key", "API_KEY", "", T("gsk_{a52}", "groq"), "", T("gsk_{a40}", "groq")),
    (
        "openai-compatible-keys",
        "API_KEY",
        "DEEPSEEK_API_KEY=",
        T("sk-{h32}", "deepseek"),
        "",
        "id " + T("sk-{h32}", "deepseek"),
    ),
    ("llm-keys", "API_KEY", "", T("pplx-{a48}", "pplx"), "", T("pplx-{a40}", "pplx")),
    (
        "llm-key-assignments",
        "API_KEY",
        "COHERE_API_KEY=",
        T("{a40}", "cohere"),
        "",
        "SOME_KEY=" + T("{a40}", "cohere"),
    ),
    # observability, identity, productivity
    (
        "sentry-token",
        "SENTRY_TOKEN",
        "",
        T("sntryu_{h64}", "sentry"),
        "",
        T("sntryu_{h60}", "sentry"),
    ),
    ("datadog-key", "API_KEY", "DD_API_KEY=", T("{h32}", "dd"), "", "MD5=" + T("{h32}", "dd")),
    ("newrelic-key", "API_KEY", "", T("NRAK-{U27}", "nr"), "", T("NRAK-{U20}", "nr")),
    (
        "grafana-token",
        "API_KEY",
        "",
        T("glsa_{a32}_{h8}", "grafana"),
        "",
        T("glsa_{a32}_{h4}", "grafana"),
    ),
    (
        "dynatrace-token",
        "API_KEY",
        "",
        T("dt0c01.{U24}.{U64}", "dt"),
        "",
        T("dt0c01.{U24}.{U40}", "dt"),
    ),
    (
        "observability-keys",
        "API_KEY",
        "okta_api_token: ",
        T("00{b40}", "okta"),
        "",
        "token: " + T("00{b40}", "okta"),
    ),
    (
        "productivity-keys",
        "API_KEY",
        "",
        T("lin_api_{a40}", "linear"),
        "",
        T("lin_api_{a30}", "linear"),
    ),
    (
        "productivity-keys",
        "API_KEY",
        "",
        T("sk.eyJ1Ijoi{b60}.{b22}", "mapbox"),
        "",
        T("pk.eyJ1Ijoi{b60}.{b22}", "mapbox"),
    ),
    ("dropbox-token", "API_KEY", "", T("sl.{b140}", "dropbox"), "", T("sl.{b40}", "dropbox")),
]

BACKENDS = [b for b in ("hyperscan", "re") if b in available_backends()]


@functools.cache
def _engines(name: str) -> dict[str, Engine]:
    det = detectors.get(name)
    return {b: Engine([det], backend=b) for b in BACKENDS}


def _ids(case: tuple[str, ...]) -> str:
    return f"{case[0]}:{case[1]}:{case[3][:8]}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_provider_hit_and_near_miss(case: tuple[str, str, str, str, str, str]) -> None:
    name, entity, before, value, after, near_miss = case
    text = f"{before}{value}{after}"
    results = {}
    for backend, engine in _engines(name).items():
        hit = engine.detect(text)
        miss = engine.detect(near_miss)
        results[backend] = ([f.to_dict() for f in hit], [f.to_dict() for f in miss])
        spans = [(f.entity, text[f.start : f.end]) for f in hit]
        assert (entity, value) in spans, f"{name} on {backend}: no {entity} finding for the value"
        assert all(f.score >= 0.5 for f in hit)
        assert miss == [], f"{name} on {backend}: the near miss was reported"
    assert len({repr(r) for r in results.values()}) == 1, "backends disagree"


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_checksum_needs_context(backend: str) -> None:
    engine = Engine([detectors.get("github-token")], backend=backend)
    bad = crc_token("ghp_", "ctx", good=False)
    assert engine.detect(f"value {bad}") == []
    found = engine.detect(f"GITHUB_TOKEN={bad}")
    assert [f.entity for f in found] == ["GITHUB_TOKEN"]
    assert found[0].score < 0.99
    good = crc_token("ghp_", "ctx")
    assert engine.detect(f"value {good}")[0].score == pytest.approx(0.99)


@pytest.mark.parametrize(
    "text",
    [
        "${GITHUB_TOKEN}",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "sk-your-key-here",
        "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "xoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
        "sk_live_0123456789abcdefghijklmn",
        "token = <your-github-token>",
    ],
)
@pytest.mark.parametrize("backend", BACKENDS)
def test_placeholders_are_not_reported(text: str, backend: str) -> None:
    assert _all_providers(backend).detect(text) == []


@functools.cache
def _all_providers(backend: str) -> Engine:
    return Engine(_provider_detectors(), backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_value_inside_a_longer_token_is_not_reported(backend: str) -> None:
    engine = Engine([detectors.get("digitalocean-token")], backend=backend)
    assert engine.detect("x" + gen("dop_v1_{h64}", "do")) == []
    assert engine.detect(gen("dop_v1_{h64}", "do") + "a") == []


def _provider_detectors() -> list[PatternDetector]:
    out = []
    for n in detectors.names():
        det = detectors.get(n)
        if isinstance(det, ProviderDetector):
            out.append(det)
    return out


def test_at_least_60_providers_are_registered() -> None:
    providers = set()
    for det in _provider_detectors():
        assert det.provider, f"{det.name} names no provider"
        providers.update(p.strip() for p in re.split(r",|/", det.provider))
    assert len(providers) >= 60, sorted(providers)
    assert len(_provider_detectors()) >= 60


def test_every_provider_entity_is_in_the_taxonomy() -> None:
    tax = taxonomy()
    for det in _provider_detectors():
        for entity in det.entities:
            assert entity in tax, f"{det.name}: {entity} is not in the taxonomy"
            assert tax.get(entity).categories == ("SECRET", "CREDENTIAL")


def test_every_provider_detector_has_a_case() -> None:
    covered = {c[0] for c in CASES}
    missing = {d.name for d in _provider_detectors()} - covered
    assert not missing, sorted(missing)
