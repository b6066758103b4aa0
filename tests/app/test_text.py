"""Tests for appkit.text: link text shown in Markdown stays inert."""

from __future__ import annotations

import re

from appkit.text import escape_markdown


def test_escape_markdown_leaves_no_live_markup() -> None:
    text = escape_markdown("foo=[click](http://x.example) ![i](y) **b** :material/home: <b>")
    # Every Markdown punctuation character is escaped, so nothing is live.
    assert re.search(r"(?<!\\)[\[\]()*:<>!]", text) is None
    assert (
        text.replace("\\", "") == "foo=[click](http://x.example) ![i](y) **b** :material/home: <b>"
    )
