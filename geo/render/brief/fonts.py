"""The briefing's fonts: DejaVu Sans first, then fonts for scripts it lacks.

DejaVu Sans ships with matplotlib and covers Latin, Cyrillic, Greek and
Arabic; it has no Chinese, Japanese or Korean glyphs. Place names and report
text in those scripts would print as empty boxes, so matplotlib is given a
list of families (supported since matplotlib 3.6): a glyph missing from the
first is taken from the next. The CJK family comes from a Debian package
(``fonts-wqy-microhei``, installed by ``.ci/run``); when it is absent the
briefing still renders, with boxes for those characters only.

Arabic is shaped (joined letters, right to left) by matplotlib's own text
layout from 3.11 on (libraqm); older matplotlib prints the letters unjoined
and left to right: legible to nobody, so docs/briefing.md says so.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from geo.render.brief.layout import FONT

# (family, files where Debian installs it), in order of preference.
FALLBACK_FONTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "WenQuanYi Micro Hei",
        (
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttf",
        ),
    ),
    ("Droid Sans Fallback", ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",)),
    ("Noto Sans CJK SC", ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)),
)


class _NoBoldFallbackNotice(logging.Filter):
    """Drop matplotlib's notice that a CJK fallback has no bold face.

    The fallback fonts have one weight; bold CJK text prints regular, which is
    expected, and the notice would repeat for every bold label.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "Failed to find font weight" in message
            and any(family in message for family, _p in FALLBACK_FONTS)
        )


@functools.cache
def font_families() -> tuple[str, ...]:
    """DejaVu Sans and the first fallback family found on this machine.

    Fonts installed after matplotlib built its font cache are not in it;
    they are registered here from their files, once per process.

    Returns
    -------
    tuple of str
        Family names for ``font.sans-serif``, DejaVu Sans first.
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    logging.getLogger("matplotlib.font_manager").addFilter(_NoBoldFallbackNotice())
    for family, paths in FALLBACK_FONTS:
        if family not in known:
            found = next((p for p in paths if Path(p).is_file()), None)
            if found is None:
                continue
            font_manager.fontManager.addfont(found)
        return (FONT, family)
    return (FONT,)


def has_cjk_font() -> bool:
    """Whether a font with Chinese, Japanese and Korean glyphs was found."""
    return len(font_families()) > 1
