"""The service: the same operations as the CLI over HTTP, with API keys and roles."""

from __future__ import annotations

from dataward.server.app import create_app

__all__ = ["create_app"]
