"""The briefing's map as an animation: the period step by step (GIF or MP4).

The static parts (risk shading, borders, towns and names) are drawn once
with the briefing's own map code (:mod:`geo.render.brief`); each frame only
swaps the incident symbols and the header, so a month of weekly frames
renders in a few seconds. Frames are either the incidents of each step
(a day, a week or a calendar month) or everything from the first day to the
end of the step (``cumulative``). GIFs are written with Pillow; MP4 needs
the ``ffmpeg`` program, and without it :class:`AnimationError` says so.
Everything is offline.

Example
-------
>>> gif = animate_brief(joined, state, step="week")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from geo.analysis.filters import FilterState
from geo.render import style
from geo.render.brief.basemap import draw_map, fit_view
from geo.render.brief.content import Brief, compose, layers
from geo.render.brief.fonts import font_families
from geo.render.brief.layout import (
    MUTED_COLOUR,
    NOT_ASSESSED_COLOUR,
    PNG_LAYOUT,
    SEA_COLOUR,
    TEXT_COLOUR,
)
from geo.render.brief.page import Page
from geo.render.brief.symbols import INCIDENT_ZORDER, draw_incidents
from geo.render.brief.text import day_text, period_text

if TYPE_CHECKING:
    from PIL import Image

Step = Literal["day", "week", "month"]
STEPS: tuple[Step, ...] = ("day", "week", "month")
MAX_FRAMES = 400  # a year of days; more is a film, not a briefing
# 1280 x 720 px at 100 dpi: small enough to mail, large enough for a slide.
ANIMATION_LAYOUT = dataclasses.replace(
    PNG_LAYOUT,
    size=(12.8, 7.2),
    dpi=100,
    margin=0.3,
    map_box=(0.3, 1.0, 12.2, 5.75),
    title_pt=20,
    subtitle_pt=13,
    towns=8,
)


class AnimationError(ValueError):
    """An animation that cannot be made as asked (format, tools, size)."""


@dataclasses.dataclass(frozen=True)
class Frame:
    """One step: the days it covers and the days its incidents come from."""

    start: dt.date
    end: dt.date
    shown_from: dt.date  # the period's first day when cumulative, else ``start``


def frames(state: FilterState, step: Step = "week", cumulative: bool = False) -> list[Frame]:
    """The steps of ``state``'s period: days, ISO weeks (Monday to Sunday) or
    calendar months, each cut to the period: the same frames as the map's
    playback (``geo/render/maps/playback.js``).

    Raises
    ------
    AnimationError
        For an unknown step or more than :data:`MAX_FRAMES` frames.
    """
    if step not in STEPS:
        raise AnimationError(f"step must be one of {', '.join(STEPS)}, got {step!r}")
    out: list[Frame] = []
    start = state.date_from
    while start <= state.date_to:
        end = min(_step_end(start, step), state.date_to)
        out.append(Frame(start, end, state.date_from if cumulative else start))
        start = end + dt.timedelta(days=1)
        if len(out) > MAX_FRAMES:
            raise AnimationError(
                f"{period_text(state.date_from, state.date_to)} by {step} is more than "
                f"{MAX_FRAMES} frames: choose a longer step or a shorter period"
            )
    return out


def _step_end(start: dt.date, step: Step) -> dt.date:
    """The last day of the step beginning on ``start``."""
    if step == "day":
        return start
    if step == "week":
        # ISO weeks, Monday to Sunday, as the map's playback steps them.
        return start + dt.timedelta(days=6 - start.weekday())
    first_next = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def animate_brief(
    joined: pd.DataFrame,
    state: FilterState,
    *,
    step: Step = "week",
    cumulative: bool = False,
    fmt: Literal["gif", "mp4"] = "gif",
    seconds_per_frame: float = 1.0,
    risk: pd.DataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    borders: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
    towns: pd.DataFrame | None = None,
    title: str | None = None,
    window_days: int = 90,
) -> bytes:
    """The briefing's map of ``state``'s period as an animated GIF or MP4.

    Parameters
    ----------
    joined, state, risk, areas, borders, admin0, towns, title, window_days
        As for :func:`geo.render.brief.render_brief`; the map's extent,
        shading and names are those of the briefing of the whole period.
    step : {"day", "week", "month"}
        One frame per day, ISO week (Monday to Sunday) or calendar month,
        cut to the period.
    cumulative : bool
        Each frame shows everything from the first day to the end of its
        step instead of the step's incidents only.
    fmt : {"gif", "mp4"}
        GIF (Pillow, always available) or MP4 (needs ``ffmpeg`` on the PATH).
    seconds_per_frame : float
        How long each frame stays on screen.

    Returns
    -------
    bytes
        The file.

    Raises
    ------
    AnimationError
        Unknown step or format, too many frames, or MP4 without ffmpeg.
    """
    if fmt not in ("gif", "mp4"):
        raise AnimationError(f"format must be gif or mp4, got {fmt!r}")
    if fmt == "mp4" and shutil.which("ffmpeg") is None:
        raise AnimationError(
            "MP4 needs the ffmpeg program (Debian package ffmpeg), which is not installed; "
            "write a .gif instead"
        )
    if not 0.05 <= seconds_per_frame <= 60:
        raise AnimationError("seconds per frame must be between 0.05 and 60")
    steps = frames(state, step, cumulative)
    areas, borders, admin0 = layers(areas, borders, admin0)
    if risk is None:
        from geo.analysis.risk import load_overrides, score_areas

        risk = score_areas(
            joined, areas, state.assessed_at, window_days=window_days, overrides=load_overrides()
        )
    brief = compose(joined, state, risk, areas, borders, admin0, towns, title, None, window_days)
    rc = {"font.family": list(font_families()), "text.usetex": False, "path.simplify": True}
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        images = list(_render_frames(brief, steps, step, cumulative))
    if fmt == "gif":
        return _gif(images, seconds_per_frame)
    return _mp4(images, seconds_per_frame)


def _render_frames(
    brief: Brief, steps: list[Frame], step: Step, cumulative: bool
) -> Iterator[bytes]:
    """PNG bytes of each frame: the map drawn once, incidents swapped per frame."""
    layout = ANIMATION_LAYOUT
    fig = Figure(figsize=layout.size, dpi=layout.dpi)
    canvas = FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    page = Page(fig, canvas.get_renderer(), layout)
    left, top, width, height = layout.map_box
    ax = fig.add_axes((page.fx(left), page.fy(top + height), width / page.w, height / page.h))
    # Names are placed once, clear of every symbol of the period.
    draw_map(ax, canvas.get_renderer(), brief, fit_view(brief.extent, width, height), layout)
    _remove_incidents(ax)
    page.text(layout.margin, 0.5, brief.title, layout.title_pt, fontweight="bold")
    label = page.text(layout.margin, 0.82, "", layout.subtitle_pt)
    page.text(
        layout.margin,
        page.h - 0.18,
        page.fit(_footer(brief, step, cumulative), layout.small_pt, page.w - 2 * layout.margin),
        layout.small_pt,
        color=MUTED_COLOUR,
    )
    dates = brief.shown["event_date"].dt.date
    for frame in steps:
        rows = brief.shown[(dates >= frame.shown_from) & (dates <= frame.end)]
        _remove_incidents(ax)
        draw_incidents(ax, rows)
        _set_label(label, frame, rows, step, cumulative)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=layout.dpi, metadata={"Software": None})
        yield buf.getvalue()


def _remove_incidents(ax: object) -> None:
    """Take the incident symbols (and dense-map circles) off the map."""
    for coll in list(ax.collections):  # type: ignore[attr-defined]
        if coll.get_zorder() == INCIDENT_ZORDER:
            coll.remove()


def _set_label(label: Text, frame: Frame, rows: pd.DataFrame, step: Step, cumulative: bool) -> None:
    """The frame's days and counts under the title."""
    days = period_text(frame.start, frame.end) if step != "day" else day_text(frame.start)
    if step == "week":
        year, week, _day = frame.start.isocalendar()
        days = f"Week {year}-W{week:02d}: {days}"
    if cumulative:
        days = f"{period_text(frame.shown_from, frame.end)} (cumulative)"
    n, deaths = len(rows), int(rows["fatalities"].sum())
    label.set_text(
        f"{days}  ·  {n:,} incident{'s' if n != 1 else ''}, {deaths:,} "
        f"{'fatality' if deaths == 1 else 'fatalities'}"
    )


def _footer(brief: Brief, step: Step, cumulative: bool) -> str:
    """How to read the animation, and the sources."""
    how = "everything to the end of each " if cumulative else "the incidents of each "
    return (
        f"One frame per {step}: {how}{step}. Symbols: event type by shape and colour, "
        f"size by reported fatalities. Areas: risk level as of "
        f"{day_text(brief.state.assessed_at)}. {brief.attribution}"
    )


def _palette(frames_: list[Image.Image]) -> Image.Image:
    """One palette for all frames, so colours stay steady between them.

    The risk, event-type and map colours are in it exactly (a small purple
    star would otherwise lose out to the large fills in a median cut); the
    rest comes from every frame at half size (antialiased edges, text).
    """
    from PIL import Image

    fixed = [*style.LEVEL_COLOURS.values(), *style.EVENT_TYPE_COLOURS.values()]
    fixed += [NOT_ASSESSED_COLOUR, SEA_COLOUR, TEXT_COLOUR, MUTED_COLOUR, "#ffffff"]
    rgb = list(dict.fromkeys(tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in fixed))
    small = [f.reduce(2) for f in frames_]
    sheet = Image.new("RGB", (small[0].width, small[0].height * len(small)))
    for i, f in enumerate(small):
        sheet.paste(f, (0, i * small[0].height))
    rest = sheet.quantize(colors=256 - len(rgb), method=Image.Quantize.MEDIANCUT)
    values = [v for c in rgb for v in c] + list(rest.getpalette() or [])[: 3 * (256 - len(rgb))]
    palette = Image.new("P", (1, 1))
    palette.putpalette(values + [0] * (768 - len(values)))
    return palette


def _gif(images: list[bytes], seconds_per_frame: float) -> bytes:
    """An endlessly looping GIF of the frames."""
    from PIL import Image

    frames_ = [Image.open(io.BytesIO(b)).convert("RGB") for b in images]
    palette = _palette(frames_)
    paletted = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames_]
    buf = io.BytesIO()
    paletted[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=paletted[1:],
        duration=int(seconds_per_frame * 1000),
        loop=0,
        optimize=False,
        disposal=1,
    )
    return buf.getvalue()


def _mp4(images: list[bytes], seconds_per_frame: float) -> bytes:
    """An H.264 MP4 of the frames, through the ffmpeg program."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, data in enumerate(images):
            (folder / f"f{i:04d}.png").write_bytes(data)
        out = folder / "out.mp4"
        cmd = [
            "ffmpeg", "-loglevel", "error", "-y",
            "-framerate", f"{1 / seconds_per_frame:.4f}",
            "-i", str(folder / "f%04d.png"),
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "25", str(out),
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AnimationError(f"ffmpeg failed: {done.stderr.strip()[:300]}")
        return out.read_bytes()
