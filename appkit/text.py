"""Showing text anyone can write (a link's parameters) in Streamlit's Markdown."""

from __future__ import annotations

import re

__all__ = ["escape_markdown"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown punctuation so ``text`` shows literally.

    Links, images, emphasis and Streamlit's ``:material/...:`` icons stay
    inert characters.

    >>> escape_markdown("[x](http://e.com)")
    '\\\\[x\\\\]\\\\(http\\\\://e\\\\.com\\\\)'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
