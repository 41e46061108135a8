"""The browsable API (HTML pages of the API) under this site's Content Security Policy,
which allows no inline style."""

from __future__ import annotations

import base64
import hashlib

from rest_framework import renderers

# DRF's page template positions its "Extra Actions" and "Filters" buttons with this inline
# style attribute. The policy admits exactly this value (by its hash) on these pages only.
DRF_BUTTON_STYLE = "float: right; margin-right: 10px"


def style_hash(value: str) -> str:
    """A CSP source expression for one inline style: 'sha256-<base64 digest>'."""
    digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
    return f"'sha256-{digest}'"


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API without its inline ``<style>`` block of code-highlighting rules
    (nothing on these pages is highlighted: descriptions are not rendered as Markdown), and
    with the policy extended by the hash of the one inline style attribute DRF writes."""

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        response = renderer_context.get("response")
        if response is not None:
            response._csp_update = {
                "style-src-attr": ["'unsafe-hashes'", style_hash(DRF_BUTTON_STYLE)]
            }
        return context
