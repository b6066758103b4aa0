"""Tests for geo.render.brief.animate: frames per step, distinct frames, formats.

Uses the fictional world of tests/render/test_brief.py (incidents from 2 to
27 February 2013 in made-up areas), so frame contents are known.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from geo.analysis.filters import FilterState
from geo.cli import main
from geo.render.brief import animate
from tests.render import test_brief as base
from tests.render.test_brief import FEB

world = base.world  # the same fictional world as test_brief.py


def gif(world: dict[str, object], state: FilterState = FEB, **kw: object) -> list[np.ndarray]:
    layers = {k: world[k] for k in ("risk", "areas", "borders", "admin0", "towns")}
    data = animate.animate_brief(world["joined"], state, **layers, **kw)  # type: ignore[arg-type]
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF"
    return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)]


def test_frames_cover_the_period_by_step() -> None:
    # ISO weeks (Monday to Sunday) cut to the period, as the map's playback:
    # 1 February 2013 was a Friday.
    weeks = animate.frames(FEB, "week")
    assert [(f.start.day, f.end.day) for f in weeks] == [
        (1, 3), (4, 10), (11, 17), (18, 24), (25, 28)
    ]  # fmt: skip
    assert len(animate.frames(FEB, "day")) == 28
    span = FilterState(dt.date(2013, 1, 20), dt.date(2013, 3, 5))
    months = animate.frames(span, "month", cumulative=True)
    assert [(f.start, f.end) for f in months] == [
        (dt.date(2013, 1, 20), dt.date(2013, 1, 31)),
        (dt.date(2013, 2, 1), dt.date(2013, 2, 28)),
        (dt.date(2013, 3, 1), dt.date(2013, 3, 5)),
    ]
    assert {f.shown_from for f in months} == {span.date_from}


def test_weekly_gif_has_one_distinct_frame_per_week(world: dict[str, object]) -> None:
    frames = gif(world, step="week")
    assert len(frames) == 5
    assert frames[0].shape == (720, 1280, 3)
    for a, b in zip(frames, frames[1:], strict=False):
        assert np.any(a != b)


def test_cumulative_frames_only_gain_symbols(world: dict[str, object]) -> None:
    from geo.render import style

    per_week = gif(world, step="week")
    cumulative = gif(world, step="week", cumulative=True)
    assert len(cumulative) == 5
    battles = style.EVENT_TYPE_COLOURS["Battles"]
    rgb = np.array([int(battles[i : i + 2], 16) for i in (1, 3, 5)])

    def count(frame: np.ndarray) -> int:
        return int((np.abs(frame.astype(int) - rgb).sum(axis=-1) < 40).sum())

    # The last cumulative frame shows every week's battles; a week alone shows fewer.
    assert count(cumulative[-1]) > max(count(f) for f in per_week)
    assert count(cumulative[-1]) >= count(cumulative[0])


def test_bad_requests_say_what_to_do(world: dict[str, object], monkeypatch) -> None:
    with pytest.raises(animate.AnimationError, match="step"):
        animate.frames(FEB, "year")  # type: ignore[arg-type]
    long = FilterState(dt.date(2000, 1, 1), dt.date(2013, 1, 1))
    with pytest.raises(animate.AnimationError, match="more than 400 frames"):
        animate.frames(long, "day")
    monkeypatch.setattr(animate.shutil, "which", lambda _name: None)
    with pytest.raises(animate.AnimationError, match="ffmpeg"):
        gif(world, fmt="mp4")


def test_cli_writes_a_gif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "feb.gif"
    code = main(["brief", "--from", "2013-02-01", "--to", "2013-02-28", "--animate", str(out)])
    assert code == 0, capsys.readouterr().err
    assert Image.open(out).n_frames == 5
    # The shipped month's explosions are small stars beside large risk fills:
    # the shared palette keeps their purple (a plain median cut turned them grey).
    from geo.render import style

    hex_colour = style.EVENT_TYPE_COLOURS["Explosions/Remote violence"]
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(Image.open(out))]
    near = [int((np.abs(f.astype(int) - rgb).sum(axis=-1) < 30).sum()) for f in frames]
    assert max(near) > 40, near
    assert main(["brief", "--animate", str(tmp_path / "x.avi")]) == 2
    assert "gif" in capsys.readouterr().err
