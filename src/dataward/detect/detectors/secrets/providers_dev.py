"""Developer platform credentials: source hosting, package registries, CI, code quality, APIs tools.

GitHub and npm tokens end with a CRC32 of their random part, which is checked: a token with a bad
checksum is a made-up one and needs a context word to be reported.
"""

from __future__ import annotations

import re

from dataward.detect.detectors.secrets._provider import (
    ChecksumDetector,
    ProviderDetector,
    b64decode_loose,
    kv,
)
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_JIRA_PAT = re.compile(rb"[0-9]{8,14}:")


@register("github-token")
class GitHubTokenDetector(ChecksumDetector):
    provider = "GitHub"
    entity = "GITHUB_TOKEN"
    patterns = (
        Pattern("github-classic", r"gh[pousr]_[A-Za-z0-9]{36,40}", 0.99),
        Pattern("github-fine-grained", r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}", 0.97),
        Pattern(
            "github-app-installation-jwt",
            r"ghs_[0-9]{8}_eyJ[A-Za-z0-9_-]{20,}\.eyJ[A-Za-z0-9_.-]{20,}",
            0.95,
        ),
    )
    checksum_patterns = frozenset({"github-classic"})
    context = {"any": ("github", "gh_token", "ghp", "git")}


@register("gitlab-token")
class GitLabTokenDetector(ProviderDetector):
    """GitLab's documented token prefixes (personal, deploy, runner, trigger, OAuth, feed ...)."""

    provider = "GitLab"
    entity = "GITLAB_TOKEN"
    patterns = (
        Pattern(
            "gitlab-prefixed-token",
            r"gl(?:pat|dt|rt|rtr|cbt|ptt|ft|imt|agent|soat|ffct|wt|oas)-[A-Za-z0-9_.-]{20,80}",
            0.95,
        ),
        Pattern("gitlab-runner-registration", r"GR1348941[A-Za-z0-9_-]{20}", 0.95),
    )


@register("atlassian-token")
class AtlassianTokenDetector(ProviderDetector):
    """Atlassian cloud API tokens, Bitbucket app passwords and access tokens, Jira/Confluence PATs."""

    provider = "Atlassian"
    entity = "ATLASSIAN_TOKEN"
    patterns = (
        Pattern("atlassian-api-token", r"ATATT3[A-Za-z0-9_=-]{60,250}", 0.97),
        Pattern("bitbucket-access-token", r"ATCTT3[A-Za-z0-9_=-]{60,250}", 0.97),
        Pattern("bitbucket-app-password", r"ATBB[A-Za-z0-9_=.-]{32}", 0.9),
        Pattern("bitbucket-server-token", r"BBDC-[A-Za-z0-9+/]{44}", 0.95),
        # Data Center personal access tokens: base64 of "<numeric id>:<random bytes>".
        Pattern("jira-confluence-pat", r"[MNO][A-Za-z0-9+/]{43}", 0.3),
    )
    context = {"any": ("jira", "confluence", "atlassian", "bitbucket", "bearer", "token", "pat")}

    def check(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name != "jira-confluence-pat":
            return pattern.score
        raw = b64decode_loose(value)
        return 0.6 if raw is not None and _JIRA_PAT.match(raw) else None


@register("npm-token")
class NpmTokenDetector(ChecksumDetector):
    provider = "npm"
    entity = "NPM_TOKEN"
    patterns = (Pattern("npm-access-token", r"npm_[A-Za-z0-9]{36}", 0.99),)
    checksum_patterns = frozenset({"npm-access-token"})
    context = {"any": ("npm", "npmrc", "_authtoken", "authtoken", "registry")}


@register("pypi-token")
class PyPiTokenDetector(ProviderDetector):
    """PyPI API tokens: macaroons whose location is pypi.org (or test.pypi.org)."""

    provider = "PyPI"
    entity = "PYPI_TOKEN"
    patterns = (
        Pattern(
            "pypi-token", r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}", 0.99
        ),
    )


@register("rubygems-key")
class RubyGemsKeyDetector(ProviderDetector):
    provider = "RubyGems"
    entity = "API_KEY"
    patterns = (Pattern("rubygems-api-key", r"rubygems_[a-f0-9]{48}", 0.97),)


@register("nuget-key")
class NuGetKeyDetector(ProviderDetector):
    provider = "NuGet"
    entity = "API_KEY"
    patterns = (Pattern("nuget-api-key", r"oy2[a-z0-9]{43}", 0.9),)


@register("docker-hub-token")
class DockerHubTokenDetector(ProviderDetector):
    provider = "Docker Hub"
    entity = "DOCKER_TOKEN"
    patterns = (Pattern("docker-hub-token", r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}", 0.95),)


@register("clojars-token")
class ClojarsTokenDetector(ProviderDetector):
    provider = "Clojars"
    entity = "API_KEY"
    patterns = (Pattern("clojars-deploy-token", r"CLOJARS_[a-z0-9]{60}", 0.95),)


@register("jfrog-token")
class JFrogTokenDetector(ProviderDetector):
    provider = "JFrog Artifactory"
    entity = "API_KEY"
    patterns = (
        Pattern("jfrog-api-key", r"AKCp[A-Za-z0-9]{69}", 0.9),
        # Reference tokens: base64 of "reftkn:01:<expiry>:<random>".
        Pattern("jfrog-reference-token", r"cmVmdGtuOjAxOj[A-Za-z0-9]{50}", 0.93),
    )


@register("snyk-token")
class SnykTokenDetector(ProviderDetector):
    provider = "Snyk"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "snyk-token-assignment",
            kv(r"snyk_?(?:api_?)?(?:token|key)", _UUID),
            0.9,
            ignore_case=True,
            group=1,
        ),
    )


@register("sonar-token")
class SonarTokenDetector(ProviderDetector):
    provider = "SonarQube / SonarCloud"
    entity = "API_KEY"
    patterns = (Pattern("sonar-token", r"sq[pau]_[a-f0-9]{40}", 0.93),)


@register("postman-key")
class PostmanKeyDetector(ProviderDetector):
    provider = "Postman"
    entity = "API_KEY"
    patterns = (
        Pattern("postman-api-key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", 0.97),
        Pattern("postman-access-token", r"PMAT-[A-Z0-9]{26}", 0.9),
    )


@register("ci-tokens")
class CiTokenDetector(ProviderDetector):
    """CI and developer tooling with prefixed tokens: CircleCI, Buildkite, Harness, Sourcegraph ..."""

    provider = "CircleCI, Buildkite, Harness, Sourcegraph, Prefect, ReadMe, Scalingo, Codecov"
    entity = "API_KEY"
    patterns = (
        Pattern("circleci-pat", r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}", 0.97),
        Pattern("buildkite-token", r"bkua_[a-f0-9]{40}", 0.93),
        Pattern("harness-pat", r"pat\.[A-Za-z0-9_-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20}", 0.95),
        Pattern("sourcegraph-token", r"sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}", 0.93),
        Pattern("prefect-token", r"pnu_[A-Za-z0-9]{36}", 0.93),
        Pattern("readme-key", r"rdme_[a-z0-9]{70}", 0.93),
        Pattern("scalingo-token", r"tk-us-[A-Za-z0-9_-]{48}", 0.9),
        Pattern("defined-networking-key", r"dnkey-[A-Z0-9=_-]{26}-[A-Z0-9=_-]{52}", 0.95),
        Pattern("wundergraph-key", r"cosmo_[a-f0-9]{32}", 0.85),
    )


@register("travis-token")
class TravisTokenDetector(ProviderDetector):
    provider = "Travis CI, Codecov, Gitea, Bitbucket"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "ci-token-assignment",
            kv(
                r"travis_?(?:api_?)?token|codecov_?token|gitea_?(?:access_?)?token",
                r"[A-Za-z0-9_-]{22}|" + _UUID + r"|[a-f0-9]{40}",
            ),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )
