"""The API docs page, offline: Swagger UI's files come from the ``swagger-ui-bundle`` package
and are served by the service itself, not fetched from a CDN (a deployment without internet
access had a blank ``/docs``)."""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.
from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" href="data:,"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>
"""

INIT = """window.ui = SwaggerUIBundle({
  url: "%s", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
});
"""


def assets_folder() -> str | None:
    """Swagger UI's folder in the installed ``swagger-ui-bundle``, or ``None``."""
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped]
    except ImportError:
        return None
    return str(swagger_ui_bundle.swagger_ui_path)


def mount_docs(app: FastAPI) -> None:
    """Serve ``/docs`` from the package when FastAPI's CDN page is switched off
    (``docs_url=None``); without the package, ``/docs`` says how to get it."""
    if app.docs_url is not None or any(
        getattr(r, "path", None) == "/docs" for r in app.router.routes
    ):
        return
    folder = assets_folder()
    openapi = app.openapi_url or "/openapi.json"

    if folder is not None:
        app.mount("/docs/assets", StaticFiles(directory=folder), name="docs-assets")

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> HTMLResponse:
        return HTMLResponse(INIT % openapi.replace('"', ""), media_type="text/javascript")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if folder is None:
            return HTMLResponse(
                "<p>The API docs need the swagger-ui-bundle package "
                "(pip install swagger-ui-bundle-v2); the schema is at "
                f"<a href='{escape(openapi)}'>{escape(openapi)}</a>.</p>",
                status_code=503,
            )
        return HTMLResponse(PAGE.format(title=escape(app.title)))
