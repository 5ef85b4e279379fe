"""Observability, identity and productivity SaaS: Sentry, Datadog, New Relic, Grafana, Okta, Notion..."""

from __future__ import annotations

from dataward.detect.detectors.secrets._provider import ProviderDetector, kv
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@register("sentry-token")
class SentryTokenDetector(ProviderDetector):
    provider = "Sentry"
    entity = "SENTRY_TOKEN"
    patterns = (
        Pattern("sentry-org-token", r"sntrys_eyJ[A-Za-z0-9+/=_-]{60,400}", 0.97),
        Pattern("sentry-user-token", r"sntryu_[a-f0-9]{64}", 0.97),
        Pattern(
            "sentry-dsn",
            r"https?://[a-f0-9]{32}(?::[a-f0-9]{32})?@[A-Za-z0-9.-]{0,60}sentry\.io/[0-9]{1,12}",
            0.85,
        ),
        Pattern(
            "sentry-auth-token-assignment",
            kv(r"sentry_?auth_?token", r"[a-f0-9]{64}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
    )


@register("datadog-key")
class DatadogKeyDetector(ProviderDetector):
    provider = "Datadog"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "datadog-api-key",
            kv(r"(?:datadog|dd)_?api_?key|dd-api-key", r"[a-f0-9]{32}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "datadog-app-key",
            kv(r"(?:datadog|dd)_?app(?:lication)?_?key|dd-application-key", r"[a-f0-9]{40}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern("datadog-pat", r"ddapp_[A-Za-z0-9]{34}|ddpat_[A-Za-z0-9]{34,40}", 0.93),
    )


@register("newrelic-key")
class NewRelicKeyDetector(ProviderDetector):
    provider = "New Relic"
    entity = "API_KEY"
    patterns = (
        Pattern("newrelic-user-key", r"NRAK-[A-Z0-9]{27}", 0.95),
        Pattern("newrelic-prefixed-key", r"NR(?:AA|II|JS|BR|IQ|RA|SP)-[A-Za-z0-9_-]{19,40}", 0.9),
        Pattern("newrelic-license-key", r"[a-f0-9]{36}NRAL", 0.95),
    )
    min_distinct = 6


@register("grafana-token")
class GrafanaTokenDetector(ProviderDetector):
    provider = "Grafana"
    entity = "API_KEY"
    patterns = (
        Pattern("grafana-cloud-token", r"glc_[A-Za-z0-9+/=]{32,400}", 0.95),
        Pattern("grafana-service-account-token", r"glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}", 0.97),
        # Legacy API keys: base64 of {"k":"...","n":"...","id":N}.
        Pattern("grafana-api-key", r"eyJrIjoi[A-Za-z0-9+/=]{50,200}", 0.9),
    )


@register("dynatrace-token")
class DynatraceTokenDetector(ProviderDetector):
    provider = "Dynatrace"
    entity = "API_KEY"
    patterns = (Pattern("dynatrace-token", r"dt0[a-z][0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}", 0.97),)


@register("observability-keys")
class ObservabilityKeyDetector(ProviderDetector):
    """PostHog, PagerDuty, Honeycomb, Splunk, Okta and other keys without a prefix of their own."""

    provider = "PostHog, PagerDuty, Honeycomb, Splunk, Okta, Auth0"
    entity = "API_KEY"
    patterns = (
        Pattern("posthog-personal-key", r"ph[xsr]_[A-Za-z0-9]{40,60}", 0.9),
        Pattern("posthog-oauth-token", r"pha_[A-Za-z0-9]{40,60}", 0.85),
        Pattern(
            "pagerduty-key",
            kv(
                r"pagerduty_?(?:api_?|integration_?|routing_?)?(?:key|token)|pd_?api_?(?:key|token)",
                r"[A-Za-z0-9_+-]{20}|[a-f0-9]{32}",
            ),
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "honeycomb-key",
            kv(r"honeycomb_?(?:api_?|write_?)?key", r"[A-Za-z0-9]{22}|[a-f0-9]{32}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "splunk-hec-token",
            kv(r"splunk_?(?:hec_?)?token", _UUID),
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "okta-token",
            kv(r"okta_?(?:api_?|client_?)?(?:token|key|secret)", r"00[A-Za-z0-9_-]{40}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "auth0-client-secret",
            kv(r"auth0_?client_?secret", r"[A-Za-z0-9_-]{64}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
    )


@register("productivity-keys")
class ProductivityKeyDetector(ProviderDetector):
    """Productivity and design tools: Airtable, Notion, Figma, Linear, Asana, Typeform ..."""

    provider = "Airtable, Notion, Figma, Linear, Asana, Typeform, Contentful, Frame.io, ClickUp"
    entity = "API_KEY"
    patterns = (
        Pattern("airtable-pat", r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}", 0.97),
        Pattern("notion-token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}", 0.95),
        Pattern("notion-legacy-secret", r"secret_[A-Za-z0-9]{43}", 0.7),
        Pattern("figma-token", r"figd_[A-Za-z0-9_-]{40}", 0.95),
        Pattern("linear-api-key", r"lin_api_[A-Za-z0-9]{40}", 0.97),
        Pattern("linear-oauth-token", r"lin_oauth_[a-f0-9]{64}", 0.97),
        Pattern("asana-pat", r"[0-9]/[0-9]{10,16}(?:/[0-9]{10,16})?:[a-f0-9]{32}", 0.85),
        Pattern("typeform-token", r"tfp_[A-Za-z0-9_.=-]{59}", 0.95),
        Pattern("contentful-token", r"CFPAT-[A-Za-z0-9_-]{43}", 0.97),
        Pattern("frameio-token", r"fio-u-[A-Za-z0-9_=-]{64}", 0.95),
        Pattern("clickup-token", r"pk_[0-9]{6,10}_[A-Z0-9]{32}", 0.9),
        Pattern(
            "mapbox-secret-token", r"sk\.eyJ1Ijoi[A-Za-z0-9_-]{20,200}\.[A-Za-z0-9_-]{22}", 0.97
        ),
        Pattern(
            "algolia-admin-key",
            kv(r"algolia_?(?:admin_?|api_?|write_?)?(?:api_?)?key", r"[a-f0-9]{32}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("dropbox-token")
class DropboxTokenDetector(ProviderDetector):
    provider = "Dropbox"
    entity = "API_KEY"
    patterns = (
        Pattern("dropbox-short-lived-token", r"sl\.[A-Za-z0-9_.-]{130,1400}", 0.9),
        Pattern("dropbox-long-lived-token", r"[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_-]{43}", 0.85),
        Pattern(
            "dropbox-app-secret",
            kv(r"dropbox_?(?:app_?)?secret", r"[a-z0-9]{15}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )
