"""SaaS credentials: chat and webhooks, payments, email and SMS, commerce."""

from __future__ import annotations

from dataward.detect.detectors.secrets._provider import ProviderDetector, b64decode_loose, kv
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@register("slack-token")
class SlackTokenDetector(ProviderDetector):
    provider = "Slack"
    entity = "SLACK_TOKEN"
    patterns = (
        Pattern("slack-bot-token", r"xoxb-[0-9]{9,13}-[0-9]{9,13}-[A-Za-z0-9]{24}", 0.97),
        Pattern(
            "slack-user-token", r"xox[pears]-[0-9]{9,13}-[0-9]{9,13}-[0-9]{9,13}-[a-f0-9]{32}", 0.97
        ),
        Pattern("slack-rotating-token", r"(?:xoxe\.)?xox[bpe]-1-[A-Za-z0-9]{100,300}", 0.95),
        Pattern("slack-app-token", r"xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64}", 0.97),
        Pattern("slack-config-token", r"xoxe\.xoxp-1-[A-Za-z0-9-]{100,300}", 0.95),
        Pattern("slack-legacy-token", r"xox[abposr]-(?:[0-9]{1,13}-){1,3}[A-Za-z0-9]{10,48}", 0.85),
    )


@register("slack-webhook")
class SlackWebhookDetector(ProviderDetector):
    provider = "Slack"
    entity = "SLACK_WEBHOOK"
    patterns = (
        Pattern(
            "slack-webhook-url",
            r"hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Za-z0-9_]{8,12}/[A-Za-z0-9_]{8,12}/[A-Za-z0-9]{24}",
            0.97,
        ),
    )


@register("discord-webhook")
class DiscordWebhookDetector(ProviderDetector):
    provider = "Discord"
    entity = "DISCORD_WEBHOOK"
    patterns = (
        Pattern(
            "discord-webhook-url",
            r"(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}",
            0.97,
        ),
    )


@register("discord-bot-token")
class DiscordBotTokenDetector(ProviderDetector):
    """Discord bot tokens: base64 of the numeric bot id, a timestamp part and an HMAC part."""

    provider = "Discord"
    entity = "DISCORD_TOKEN"
    patterns = (
        Pattern(
            "discord-bot-token",
            r"[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}",
            0.9,
        ),
    )
    validator = "base64-snowflake"

    def check(self, value: str, pattern: Pattern) -> float | None:
        raw = b64decode_loose(value.split(".", 1)[0])
        return pattern.score if raw is not None and raw.isdigit() and 17 <= len(raw) <= 20 else None


@register("telegram-bot-token")
class TelegramBotTokenDetector(ProviderDetector):
    provider = "Telegram"
    entity = "TELEGRAM_BOT_TOKEN"
    patterns = (Pattern("telegram-bot-token", r"[0-9]{5,12}:AA[A-Za-z0-9_-]{33}", 0.95),)


@register("teams-webhook")
class TeamsWebhookDetector(ProviderDetector):
    provider = "Microsoft Teams"
    entity = "TEAMS_WEBHOOK"
    patterns = (
        Pattern(
            "teams-incoming-webhook",
            rf"[a-z0-9-]+\.webhook\.office\.com/webhookb2/{_UUID}@{_UUID}/IncomingWebhook/[a-f0-9]{{32}}/{_UUID}(?:/[A-Za-z0-9_-]{{20,80}})?",
            0.95,
        ),
        Pattern(
            "teams-workflow-webhook",
            r"[a-z0-9.-]+\.logic\.azure\.com(?::443)?/workflows/[a-f0-9]{32}/triggers/manual/paths/invoke\?[A-Za-z0-9=&%._-]{0,120}sig=[A-Za-z0-9_%-]{43,60}",
            0.9,
        ),
    )


@register("twilio-key")
class TwilioKeyDetector(ProviderDetector):
    provider = "Twilio"
    entity = "TWILIO_KEY"
    patterns = (
        Pattern("twilio-api-key-sid", r"SK[0-9a-fA-F]{32}", 0.75),
        Pattern("twilio-account-sid", r"AC[0-9a-f]{32}", 0.4),
        Pattern(
            "twilio-auth-token",
            kv(r"twilio_?(?:auth_?)?(?:token|secret)", r"[a-f0-9]{32}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )
    context = {"any": ("twilio", "account_sid", "sid", "auth_token")}


@register("sendgrid-key")
class SendGridKeyDetector(ProviderDetector):
    provider = "SendGrid"
    entity = "SENDGRID_KEY"
    patterns = (Pattern("sendgrid-api-key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", 0.97),)


@register("mailgun-key")
class MailgunKeyDetector(ProviderDetector):
    provider = "Mailgun"
    entity = "MAILGUN_KEY"
    patterns = (
        Pattern("mailgun-private-key", r"key-[0-9a-f]{32}", 0.85),
        Pattern("mailgun-api-key", r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}", 0.6),
        Pattern("mailgun-public-key", r"pubkey-[0-9a-f]{32}", 0.4),
    )
    context = {"any": ("mailgun", "mg_api", "mg")}


@register("mailchimp-key")
class MailchimpKeyDetector(ProviderDetector):
    provider = "Mailchimp"
    entity = "MAILCHIMP_KEY"
    patterns = (Pattern("mailchimp-api-key", r"[0-9a-f]{32}-us[0-9]{1,2}", 0.93),)


@register("email-sms-keys")
class EmailSmsKeyDetector(ProviderDetector):
    """Email and SMS providers with prefixed keys: Brevo (Sendinblue), Mailjet, Postmark, Vonage..."""

    provider = "Brevo, Mandrill, Mailersend, Resend"
    entity = "API_KEY"
    patterns = (
        Pattern("brevo-api-key", r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}", 0.97),
        Pattern("brevo-smtp-key", r"xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}", 0.97),
        Pattern("mailersend-token", r"mlsn\.[a-f0-9]{64}", 0.93),
        Pattern("resend-key", r"re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}", 0.85),
        Pattern(
            "postmark-token",
            kv(r"postmark_?(?:server_?|account_?|api_?)?(?:token|key)", _UUID),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("stripe-key")
class StripeKeyDetector(ProviderDetector):
    """Stripe secret and restricted keys and webhook secrets; publishable ``pk_`` keys are public."""

    provider = "Stripe"
    entity = "STRIPE_KEY"
    patterns = (
        Pattern("stripe-live-key", r"[sr]k_live_[A-Za-z0-9]{24,247}", 0.97),
        Pattern("stripe-test-key", r"[sr]k_test_[A-Za-z0-9]{24,247}", 0.85),
        Pattern("stripe-webhook-secret", r"whsec_[A-Za-z0-9+/]{32,64}", 0.9),
    )


@register("square-token")
class SquareTokenDetector(ProviderDetector):
    provider = "Square"
    entity = "SQUARE_TOKEN"
    patterns = (
        Pattern("square-access-token", r"sq0atp-[A-Za-z0-9_-]{22}", 0.95),
        Pattern("square-oauth-secret", r"sq0csp-[A-Za-z0-9_-]{43}", 0.97),
        Pattern("square-production-token", r"EAAA[A-Za-z0-9_-]{60}", 0.45),
    )
    context = {"any": ("square", "sq0", "access_token", "bearer")}


@register("braintree-token")
class BraintreeTokenDetector(ProviderDetector):
    provider = "PayPal Braintree"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "braintree-access-token",
            r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}",
            0.97,
        ),
    )


@register("shopify-token")
class ShopifyTokenDetector(ProviderDetector):
    provider = "Shopify"
    entity = "SHOPIFY_TOKEN"
    patterns = (Pattern("shopify-token", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", 0.97),)


@register("payment-keys")
class PaymentKeyDetector(ProviderDetector):
    provider = "Plaid, Flutterwave, Adyen, Coinbase"
    entity = "API_KEY"
    patterns = (
        Pattern("plaid-access-token", rf"access-(?:sandbox|development|production)-{_UUID}", 0.93),
        Pattern("flutterwave-secret-key", r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X", 0.95),
        Pattern("adyen-api-key", r"AQE[a-z0-9]{2}[A-Za-z0-9+/]{6,}\.[A-Za-z0-9+/=.-]{40,}", 0.8),
    )


@register("facebook-token")
class FacebookTokenDetector(ProviderDetector):
    provider = "Meta (Facebook, Instagram)"
    entity = "API_KEY"
    patterns = (
        Pattern("facebook-access-token", r"EAA[B-Z][A-Za-z0-9]{80,250}", 0.85),
        Pattern("facebook-app-token", r"[0-9]{13,17}\|[A-Za-z0-9_-]{27}", 0.45),
        Pattern("instagram-access-token", r"IG(?:QV|AA)[A-Za-z0-9_-]{100,300}", 0.85),
    )
    context = {"any": ("facebook", "fb", "meta", "instagram", "graph", "access_token")}


@register("twitter-token")
class TwitterTokenDetector(ProviderDetector):
    provider = "X (Twitter)"
    entity = "API_KEY"
    patterns = (
        Pattern("twitter-bearer-token", r"AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,150}", 0.95),
        Pattern(
            "twitter-secret-assignment",
            kv(
                r"(?:twitter|tw)_?(?:api_?|consumer_?|access_?token_?)?secret",
                r"[A-Za-z0-9]{45,50}",
            ),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("social-keys")
class SocialKeyDetector(ProviderDetector):
    provider = "LinkedIn, Twitch, HubSpot, WeChat, Zendesk"
    entity = "API_KEY"
    patterns = (
        Pattern("hubspot-pat", rf"pat-(?:na|eu|ap)[0-9]-{_UUID}", 0.93),
        Pattern(
            "linkedin-secret",
            kv(r"linkedin_?(?:client_?|api_?)?secret", r"[A-Za-z0-9]{16}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "twitch-token",
            kv(
                r"twitch_?(?:api_?|client_?|oauth_?|access_?)?(?:token|secret|key)", r"[a-z0-9]{30}"
            ),
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "zendesk-token",
            kv(r"zendesk_?(?:api_?)?(?:token|key)", r"[A-Za-z0-9]{40}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "wechat-secret",
            kv(r"(?:wechat|weixin|wx)_?(?:app_?)?secret", r"[a-f0-9]{32}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )
