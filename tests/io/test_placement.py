"""A point must lie in or near its stated country, and on land unless flagged at sea."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.geodesy import GEOD
from geo.io import store
from geo.io.placement import AT_SEA_COLUMN, SNAP_KM, check_placement
from geo.model.schema import IncidentFileError
from geo.reference.boundaries import load_admin0
from geo.reference.gazetteer import load_gazetteer
from tests.conftest import make_rows

# GeoNames 2988507 (Paris) and 5128581 (New York City): the shipped gazetteer
# holds only the covered region.
PARIS = (48.85341, 2.3488)
NEW_YORK = (40.71427, -74.00597)
MID_ATLANTIC = (0.0, -30.0)


def _place(name: str) -> tuple[float, float]:
    hit = load_gazetteer().lookup(name)
    assert hit is not None, name
    return hit.latitude, hit.longitude


def _row(lat: float, lon: float, **cells: str) -> pd.DataFrame:
    row = make_rows(1)[0] | {"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}"} | cells
    return pd.DataFrame([row])


def _problems(frame: pd.DataFrame) -> list[str]:
    return [str(p) for p in check_placement(frame, "t.csv", countries=store.country_codes())]


def _near_border_point(outside: tuple[float, float], km: float) -> tuple[float, float]:
    """The point ``km`` from Mali's outline on the way to ``outside`` (lat, lon)."""
    mali = load_admin0(iso3="MLI").geometry.iloc[0]
    there = shapely.Point(outside[1], outside[0])
    border = shapely.shortest_line(there, mali).coords[1]
    azimuth, _, _ = GEOD.inv(border[0], border[1], there.x, there.y)
    lon, lat, _ = GEOD.fwd(border[0], border[1], azimuth, km * 1000.0)
    return lat, lon


@pytest.mark.parametrize(
    "where",
    [MID_ATLANTIC, PARIS, NEW_YORK],
    ids=["atlantic", "paris", "new-york"],
)
def test_a_point_far_from_mali_labelled_mali_gao_is_refused(where):
    out = _problems(_row(*where))
    assert len(out) == 1
    assert "row 2, column 'latitude'" in out[0]
    assert "not in Mali (MLI) nor within 10 km of it" in out[0]


def test_swapped_latitude_and_longitude_with_blank_admin1_is_refused():
    lat, lon = _place("Gao")
    out = _problems(_row(lon, lat, admin1=""))
    assert len(out) == 1
    assert "not in Mali (MLI)" in out[0] and "swapped" in out[0]


def test_a_point_in_algeria_named_mali_without_iso3_is_refused():
    out = _problems(_row(*_place("Tamanrasset"), iso3="", admin1=""))
    assert len(out) == 1
    assert "not in Mali (MLI)" in out[0]


def test_a_point_just_beyond_the_tolerance_is_refused_and_within_it_accepted():
    # Timiaouine (Algeria) lies about 13 km from Mali's outline.
    timiaouine = _place("Timiaouine")
    assert len(_problems(_row(*timiaouine, admin1="Kidal"))) == 1
    inside_tolerance = _near_border_point(timiaouine, SNAP_KM - 3)
    assert not shapely.contains_xy(
        load_admin0(iso3="MLI").geometry.iloc[0], inside_tolerance[1], inside_tolerance[0]
    )
    assert _problems(_row(*inside_tolerance, admin1="Kidal")) == []


def test_points_in_their_country_pass():
    frame = pd.concat(
        [
            _row(*_place("Gao")),
            _row(*_place("Tamanrasset"), country="Algeria", iso3="DZA", admin1=""),
        ],
        ignore_index=True,
    )
    assert _problems(frame) == []


def test_a_point_at_sea_passes_only_when_flagged():
    unnamed = _row(*MID_ATLANTIC, country="High seas", iso3="", admin1="")
    out = _problems(unnamed)
    assert len(out) == 1 and "on no land" in out[0] and f"{AT_SEA_COLUMN}=yes" in out[0]
    assert _problems(unnamed.assign(**{AT_SEA_COLUMN: "yes"})) == []
    # The flag also exempts a stated country: a ship off its coast.
    assert _problems(_row(*MID_ATLANTIC).assign(**{AT_SEA_COLUMN: "True"})) == []


def test_a_file_without_iso3_goes_by_the_country_name():
    frame = pd.concat([_row(*_place("Gao")), _row(*PARIS)], ignore_index=True)
    out = _problems(frame.drop(columns="iso3"))
    assert len(out) == 1 and "row 3" in out[0] and "not in Mali (MLI)" in out[0]


def test_an_unnamed_country_on_land_passes():
    assert _problems(_row(*_place("Gao"), country="Azawad", iso3="", admin1="")) == []


def test_user_assigned_codes_have_no_polygons_and_are_not_placed():
    assert _problems(_row(-40.0, -20.0, country="Testland", iso3="XTS", admin1="")) == []


def test_rows_without_usable_coordinates_are_left_to_the_schema():
    frame = _row(0.0, 0.0).assign(latitude="", longitude="abc")
    assert _problems(frame) == []


def test_read_incidents_refuses_a_misplaced_row(tmp_path):
    frame = pd.concat([_row(*_place("Gao")), _row(*PARIS, event_id="T2")], ignore_index=True)
    path = tmp_path / "misplaced.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(IncidentFileError, match=r"row 3, column 'latitude'.*not in Mali"):
        store.read_incidents(path)


def test_append_refuses_a_misplaced_row(tmp_path):
    target = tmp_path / "store.csv"
    store.write_incidents(store.read_incidents(_write(tmp_path, _row(*_place("Gao")))), target)
    before = target.read_bytes()
    incoming = store.read_raw(_write(tmp_path, _row(*NEW_YORK, event_id="N1")))
    report = store.append_incidents(incoming, target, file="paste")
    assert (report.added, report.rejected) == (0, 1)
    assert "not in Mali" in str(report.problems[0])
    assert target.read_bytes() == before


def _write(tmp_path, frame: pd.DataFrame):
    path = tmp_path / f"in{len(list(tmp_path.iterdir()))}.csv"
    frame.to_csv(path, index=False)
    return path


def test_many_rows_are_placed_together_and_every_bad_one_named():
    # Correctness at volume; the speed is measured in a benchmark, not here.
    gao = _row(*_place("Gao"))
    big = gao.loc[np.zeros(100_000, dtype=int)].reset_index(drop=True)
    big.loc[::1000, "latitude"] = f"{PARIS[0]}"
    problems = check_placement(big, "big.csv", countries=store.country_codes())
    assert len(problems) == 100
