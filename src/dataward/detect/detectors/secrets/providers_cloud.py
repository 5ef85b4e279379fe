"""Cloud and infrastructure provider credentials: AWS, Google Cloud, Azure, Alibaba, DigitalOcean...

Formats are the providers' documented prefixes and lengths; values without a prefix are matched only
as the value of a key naming the provider (see :func:`kv`).
"""

from __future__ import annotations

import base64
import re

import bech32

from dataward.detect.detectors.secrets._provider import ProviderDetector, kv
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_AWS_ID_PREFIX = r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA|A3T[A-Z0-9])"
_BASE32 = re.compile(r"[A-Z2-7]+")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@register("aws-access-key")
class AwsAccessKeyDetector(ProviderDetector):
    """AWS access key ids: a 4-letter type prefix and 16 base-32 characters."""

    provider = "AWS"
    entity = "AWS_ACCESS_KEY"
    min_distinct = 6
    patterns = (Pattern("aws-access-key-id", rf"{_AWS_ID_PREFIX}[A-Z0-9]{{16}}", 0.95),)
    validator = "aws-key-id-alphabet"

    def check(self, value: str, pattern: Pattern) -> float | None:
        # Real ids are base 32 (A-Z, 2-7); other digits mean a hand-made or documentation value.
        return pattern.score if _BASE32.fullmatch(value[4:]) else 0.75


@register("aws-secret-key")
class AwsSecretKeyDetector(ProviderDetector):
    """AWS secret access keys: 40 base64 characters, only next to a key name or an access key id."""

    provider = "AWS"
    entity = "AWS_SECRET_KEY"
    min_distinct = 12
    patterns = (
        Pattern(
            "aws-secret-assignment",
            kv(
                r"aws_?secret|secret_?access_?key|secret_?key_?id|awssecretkey|x-amz-key|aws_?sk\b",
                r"[A-Za-z0-9/+]{40}",
            ),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "aws-key-pair",
            rf"{_AWS_ID_PREFIX}[A-Z0-9]{{16}}[\"']?\s{{0,4}}[,;:|\t ]\s{{0,4}}[\"']?([A-Za-z0-9/+]{{40}})",
            0.85,
            group=1,
        ),
    )

    def check(self, value: str, pattern: Pattern) -> float | None:
        classes = sum(
            any(test(c) for c in value) for test in (str.isupper, str.islower, str.isdigit)
        )
        return pattern.score if classes == 3 else None


@register("aws-mws-key")
class AwsMwsKeyDetector(ProviderDetector):
    provider = "AWS MWS"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "aws-mws",
            r"amzn\.mws\.[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}",
            0.95,
        ),
    )


@register("aws-bedrock-key")
class AwsBedrockKeyDetector(ProviderDetector):
    provider = "Amazon Bedrock"
    entity = "API_KEY"
    patterns = (
        Pattern("bedrock-long-term", r"ABSK[A-Za-z0-9+/]{100,200}={0,2}", 0.9),
        Pattern("bedrock-short-term", r"bedrock-api-key-[A-Za-z0-9+/=_%-]{30,2000}", 0.9),
    )


@register("aws-appsync-key")
class AwsAppSyncKeyDetector(ProviderDetector):
    provider = "AWS AppSync"
    entity = "API_KEY"
    patterns = (Pattern("appsync-api-key", r"da2-[a-z0-9]{26}", 0.8),)


@register("google-api-key")
class GoogleApiKeyDetector(ProviderDetector):
    provider = "Google"
    entity = "GOOGLE_API_KEY"
    patterns = (Pattern("google-api-key", r"AIza[0-9A-Za-z_-]{35}", 0.95),)


@register("google-oauth-secret")
class GoogleOAuthSecretDetector(ProviderDetector):
    provider = "Google"
    entity = "GOOGLE_OAUTH_SECRET"
    patterns = (Pattern("google-client-secret", r"GOCSPX-[A-Za-z0-9_-]{28}", 0.97),)


@register("google-oauth-token")
class GoogleOAuthTokenDetector(ProviderDetector):
    provider = "Google"
    entity = "GOOGLE_OAUTH_TOKEN"
    patterns = (
        Pattern("google-access-token", r"ya29\.[0-9A-Za-z_-]{30,2000}", 0.9),
        Pattern("google-refresh-token", r"1//0[0-9A-Za-z_-]{40,300}", 0.85),
    )


@register("gcp-service-account")
class GcpServiceAccountDetector(ProviderDetector):
    """The key id of a service-account JSON key file (the private key is a PEM detector's job)."""

    provider = "Google Cloud"
    entity = "GCP_SERVICE_ACCOUNT_KEY"
    patterns = (
        Pattern(
            "gcp-private-key-id",
            r"[\\]?\"private_key_id[\\]?\"\s{0,4}:\s{0,4}[\\]?\"([0-9a-f]{40})",
            0.9,
            group=1,
            boundary=False,
        ),
    )


@register("azure-storage-key")
class AzureStorageKeyDetector(ProviderDetector):
    provider = "Azure"
    entity = "AZURE_STORAGE_KEY"
    min_distinct = 16
    patterns = (
        Pattern(
            "azure-account-key",
            r"(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{43,86}={0,2})",
            0.95,
            group=1,
            boundary=False,
        ),
        Pattern(
            "azure-storage-key-assignment",
            kv(
                r"(?:azure|storage|account)_?(?:storage_?)?(?:access_?)?key", r"[A-Za-z0-9+/]{86}=="
            ),
            0.85,
            ignore_case=True,
            group=1,
        ),
        # Identifiable keys carry a signature: "+ASt" for storage, "JQQJ9" for the other services.
        Pattern(
            "azure-storage-key-identifiable", r"[A-Za-z0-9+/]{76}\+ASt[A-Za-z0-9+/]{6}==", 0.97
        ),
        Pattern(
            "azure-identifiable-key", r"[A-Za-z0-9]{52}JQQJ9[0-9A-D][A-Za-z0-9]{26,28}(?:==)?", 0.93
        ),
    )


@register("azure-client-secret")
class AzureClientSecretDetector(ProviderDetector):
    """Entra ID (Azure AD) application secrets: 3 characters, a digit, ``Q~``, 31 to 34 more."""

    provider = "Azure"
    entity = "AZURE_CLIENT_SECRET"
    patterns = (
        Pattern("azure-client-secret", r"[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}", 0.9),
        Pattern(
            "azure-client-secret-assignment",
            kv(r"(?:azure|aad|arm|entra)_?client_?secret", r"[A-Za-z0-9_~.-]{32,44}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("alibaba-access-key")
class AlibabaAccessKeyDetector(ProviderDetector):
    provider = "Alibaba Cloud"
    entity = "ALIBABA_ACCESS_KEY"
    patterns = (
        Pattern("alibaba-access-key-id", r"LTAI[A-Za-z0-9]{12,20}", 0.9),
        Pattern(
            "alibaba-access-key-secret",
            kv(
                r"(?:alibaba|aliyun|alicloud|ali)_?(?:cloud_?)?access_?(?:key_?)?secret",
                r"[A-Za-z0-9]{30}",
            ),
            0.9,
            ignore_case=True,
            group=1,
        ),
    )


@register("digitalocean-token")
class DigitalOceanTokenDetector(ProviderDetector):
    provider = "DigitalOcean"
    entity = "DIGITALOCEAN_TOKEN"
    patterns = (Pattern("digitalocean-token", r"do[opr]_v1_[a-f0-9]{64}", 0.97),)


@register("cloudflare-token")
class CloudflareTokenDetector(ProviderDetector):
    provider = "Cloudflare"
    entity = "API_KEY"
    patterns = (
        Pattern("cloudflare-prefixed-token", r"cf(?:at|ut|k)_[A-Za-z0-9]{40,50}", 0.9),
        Pattern(
            "cloudflare-token-assignment",
            kv(
                r"cloudflare_?(?:api_?)?(?:token|key)|cf_?api_?(?:token|key)",
                r"[A-Za-z0-9_-]{40}|[a-f0-9]{37}",
            ),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("heroku-key")
class HerokuKeyDetector(ProviderDetector):
    provider = "Heroku"
    entity = "API_KEY"
    patterns = (
        Pattern("heroku-prefixed-key", r"HRKU-(?:AA[A-Za-z0-9_-]{58}|[A-Za-z0-9_-]{60})", 0.95),
        Pattern("heroku-prefixed-uuid", rf"HRKU-{_UUID}", 0.95),
        Pattern(
            "heroku-key-assignment",
            kv(r"heroku_?(?:api_?)?(?:key|token)", _UUID),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("linode-token")
class LinodeTokenDetector(ProviderDetector):
    provider = "Linode"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "linode-token-assignment",
            kv(r"linode_?(?:cli_?)?(?:api_?)?(?:token|key)", r"[a-f0-9]{64}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("databricks-token")
class DatabricksTokenDetector(ProviderDetector):
    provider = "Databricks"
    entity = "API_KEY"
    patterns = (Pattern("databricks-pat", r"dapi[a-f0-9]{32}(?:-[0-9])?", 0.9),)


@register("hashicorp-vault-token")
class VaultTokenDetector(ProviderDetector):
    provider = "HashiCorp Vault"
    entity = "HASHICORP_TOKEN"
    patterns = (
        Pattern("vault-service-token", r"hvs\.[A-Za-z0-9_-]{24,300}", 0.9),
        Pattern("vault-batch-token", r"hvb\.[A-Za-z0-9_-]{100,300}", 0.9),
        Pattern("vault-legacy-token", r"s\.[A-Za-z0-9]{24}", 0.3),
    )
    context = {"any": ("vault", "vault_token", "x-vault-token")}


@register("terraform-cloud-token")
class TerraformTokenDetector(ProviderDetector):
    provider = "Terraform Cloud"
    entity = "HASHICORP_TOKEN"
    patterns = (
        Pattern("terraform-api-token", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}", 0.95),
    )


@register("doppler-token")
class DopplerTokenDetector(ProviderDetector):
    provider = "Doppler"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "doppler-token",
            r"dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[A-Za-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}",
            0.95,
        ),
    )


@register("pulumi-token")
class PulumiTokenDetector(ProviderDetector):
    provider = "Pulumi"
    entity = "API_KEY"
    patterns = (Pattern("pulumi-access-token", r"pul-[a-f0-9]{40}", 0.95),)


@register("onepassword-token")
class OnePasswordDetector(ProviderDetector):
    provider = "1Password"
    entity = "API_KEY"
    patterns = (
        Pattern("1password-service-account", r"ops_eyJ[A-Za-z0-9+/_=-]{100,2000}", 0.97),
        Pattern(
            "1password-secret-key",
            r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
            0.9,
        ),
    )


@register("age-secret-key")
class AgeSecretKeyDetector(ProviderDetector):
    """age encryption identities: Bech32 with the ``age-secret-key-`` prefix; the checksum is checked."""

    provider = "age"
    entity = "API_KEY"
    patterns = (
        Pattern("age-secret-key", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", 0.98),
    )
    validator = "bech32"

    def check(self, value: str, pattern: Pattern) -> float | None:
        hrp, data = bech32.bech32_decode(value.lower())
        return pattern.score if hrp == "age-secret-key-" and data is not None else 0.4


@register("akamai-credentials")
class AkamaiDetector(ProviderDetector):
    provider = "Akamai"
    entity = "API_KEY"
    patterns = (Pattern("akamai-edgegrid-token", r"akab-[a-z0-9]{16}-[a-z0-9]{16}", 0.9),)


@register("paas-tokens")
class PaasTokenDetector(ProviderDetector):
    """Platform tokens with a documented prefix: Netlify, Vercel, Supabase, PlanetScale, Fly.io."""

    provider = "Netlify, Vercel, Supabase, PlanetScale, Fly.io"
    entity = "API_KEY"
    patterns = (
        Pattern("netlify-token", r"nfp_[A-Za-z0-9]{36}", 0.9),
        Pattern("vercel-token", r"vc[pkiar]_[A-Za-z0-9]{56}", 0.9),
        Pattern("supabase-token", r"sbp_(?:v0_)?[a-f0-9]{40}", 0.93),
        Pattern("supabase-secret-key", r"sb_secret_[A-Za-z0-9_-]{31}", 0.93),
        Pattern("planetscale-token", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}", 0.93),
        Pattern("flyio-token", r"fm[12][ar]?_[A-Za-z0-9+/=]{100,}", 0.9),
    )


@register("firebase-fcm-key")
class FirebaseFcmKeyDetector(ProviderDetector):
    provider = "Firebase Cloud Messaging"
    entity = "API_KEY"
    patterns = (Pattern("fcm-server-key", r"AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}", 0.97),)


@register("docker-swarm")
class DockerSwarmDetector(ProviderDetector):
    provider = "Docker Swarm"
    entity = "API_KEY"
    patterns = (
        Pattern("swarm-join-token", r"SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}", 0.95),
        Pattern("swarm-unlock-key", r"SWMKEY-1-[A-Za-z0-9+/]{43}", 0.95),
    )


@register("salesforce-token")
class SalesforceTokenDetector(ProviderDetector):
    provider = "Salesforce"
    entity = "API_KEY"
    patterns = (
        Pattern("salesforce-access-token", r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,}", 0.9),
    )


@register("nats-nkey")
class NatsNkeyDetector(ProviderDetector):
    provider = "NATS"
    entity = "API_KEY"
    patterns = (Pattern("nkey-seed", r"S[UACONPX]A[A-Z2-7]{55}", 0.97),)
    min_distinct = 12
    validator = "base32-crc16"

    def check(self, value: str, pattern: Pattern) -> float | None:
        raw = base64.b32decode(value + "=" * (-len(value) % 8))
        return pattern.score if _crc16(raw[:-2]) == int.from_bytes(raw[-2:], "little") else 0.4


def _crc16(data: bytes) -> int:
    """CRC-16/XMODEM, the checksum at the end of NATS nkeys."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc
