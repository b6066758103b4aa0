"""Online geocoder: off by default, cached, rate-limited. geopy is mocked: no network."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from geopy.exc import GeocoderServiceError
from geopy.extra.rate_limiter import RateLimiter

from geo.reference.gazetteer import load_gazetteer
from geo.reference.geocoders import (
    DEFAULT_USER_AGENT,
    ENV_FLAG,
    GeocodingBudgetExceeded,
    GeocodingDisabled,
    OnlineGeocoder,
    OnlineGeocodingError,
    online_enabled,
    precision_for,
    to_result,
)


class _Location:
    def __init__(self, lat: float, lon: float, address: str, raw: dict[str, Any]) -> None:
        self.latitude, self.longitude, self.address, self.raw = lat, lon, address, raw


_ANEFIS_RAW = {
    "name": "Anefis",
    "addresstype": "village",
    "type": "village",
    "address": {"village": "Anefis", "state": "Kidal", "country_code": "ml"},
}


class _FakeNominatim:
    """Stands in for geopy's Nominatim; records every call."""

    def __init__(self, answer: _Location | None = None, error: Exception | None = None) -> None:
        self.answer = answer
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def geocode(self, query: str, **kwargs: Any) -> _Location | None:
        self.calls.append((query, kwargs))
        if self.error is not None:
            raise self.error
        return self.answer


def _anefis() -> _Location:
    return _Location(18.05, 0.6, "Anefis, Kidal, Mali", _ANEFIS_RAW)


def _geocoder(tmp_path: Path, fake: Any, **kwargs: Any) -> OnlineGeocoder:
    return OnlineGeocoder(
        "nominatim", enabled=True, cache_path=tmp_path / "cache.sqlite", geocoder=fake, **kwargs
    )


@pytest.fixture(autouse=True)
def _no_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_FLAG, raising=False)


def _instant(limiter: Any, sleeps: list[float]) -> None:
    """Make a RateLimiter's clock advance only when it sleeps."""
    now = [100.0]

    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    limiter._clock = clock
    limiter._sleep = sleep


# -- enabling ------------------------------------------------------------------


def test_disabled_by_default_and_says_how_to_enable(tmp_path: Path) -> None:
    fake = _FakeNominatim(_anefis())
    geocoder = OnlineGeocoder(cache_path=tmp_path / "c.sqlite", geocoder=fake)
    assert not geocoder.enabled
    with pytest.raises(GeocodingDisabled, match=f"{ENV_FLAG}=1 or pass enabled=True"):
        geocoder.geocode("Anefis")
    assert fake.calls == []


def test_env_flag_enables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert not online_enabled({})
    assert online_enabled({ENV_FLAG: "1"}) and online_enabled({ENV_FLAG: "true"})
    assert not online_enabled({ENV_FLAG: "0"})
    monkeypatch.setenv(ENV_FLAG, "1")
    assert OnlineGeocoder(cache_path=tmp_path / "c.sqlite").enabled
    assert not OnlineGeocoder(enabled=False, cache_path=tmp_path / "c.sqlite").enabled


def test_gazetteer_never_asks_a_disabled_geocoder(tmp_path: Path) -> None:
    fake = _FakeNominatim(_anefis())
    off = OnlineGeocoder(enabled=False, cache_path=tmp_path / "c.sqlite", geocoder=fake)
    assert load_gazetteer().lookup("Anefis", online=off) is None
    assert fake.calls == []


def test_gazetteer_falls_back_to_an_enabled_geocoder(tmp_path: Path) -> None:
    fake = _FakeNominatim(_anefis())
    gaz = load_gazetteer()
    result = gaz.lookup("Anefis", country="Mali", online=_geocoder(tmp_path, fake))
    assert result is not None
    assert (result.source, result.iso3, result.admin1, result.geo_precision) == (
        "online:nominatim",
        "MLI",
        "Kidal",
        1,
    )
    assert fake.calls[0][1]["country_codes"] == "ml"
    # Offline names never reach the network.
    assert gaz.lookup("Tessalit", online=_geocoder(tmp_path, fake)).source == "geonames"
    assert len(fake.calls) == 1


def test_gazetteer_turns_service_failure_into_warning(tmp_path: Path) -> None:
    fake = _FakeNominatim(error=GeocoderServiceError("503"))
    online = _geocoder(tmp_path, fake)
    _instant(online.rate_limited, [])
    with pytest.warns(UserWarning, match="online geocoding of 'Anefis' failed"):
        assert load_gazetteer().lookup("Anefis", online=online) is None


# -- caching -------------------------------------------------------------------


def test_second_call_is_served_from_cache(tmp_path: Path) -> None:
    fake = _FakeNominatim(_anefis())
    geocoder = _geocoder(tmp_path, fake)
    first = geocoder.geocode("Anefis", country="MLI")
    second = geocoder.geocode("anefis ", country="ML")  # same folded query and country
    assert first is not None and second is not None
    assert second.query == "anefis "
    assert replace(second, query=first.query) == first
    assert len(fake.calls) == 1
    # A new geocoder on the same cache file does not ask either.
    fresh = _FakeNominatim(_anefis())
    assert _geocoder(tmp_path, fresh).geocode("Anefis", country="Mali") == first
    assert fresh.calls == []
    # Another country is another question.
    _instant(geocoder.rate_limited, [])
    geocoder.geocode("Anefis", country="NER")
    assert len(fake.calls) == 2


def test_not_found_is_cached_and_refresh_asks_again(tmp_path: Path) -> None:
    fake = _FakeNominatim(None)
    geocoder = _geocoder(tmp_path, fake)
    _instant(geocoder.rate_limited, [])
    assert geocoder.geocode("Nowhere") is None
    assert geocoder.geocode("Nowhere") is None
    assert len(fake.calls) == 1
    geocoder.geocode("Nowhere", refresh=True)
    assert len(fake.calls) == 2


def test_errors_are_not_cached(tmp_path: Path) -> None:
    failing = _FakeNominatim(error=GeocoderServiceError("down"))
    geocoder = _geocoder(tmp_path, failing)
    _instant(geocoder.rate_limited, [])
    with pytest.raises(OnlineGeocodingError, match="nominatim failed for 'Anefis'"):
        geocoder.geocode("Anefis")
    # geopy's RateLimiter retried twice before giving up.
    assert len(failing.calls) == 3
    working = _FakeNominatim(_anefis())
    assert _geocoder(tmp_path, working).geocode("Anefis") is not None
    assert len(working.calls) == 1


def test_request_budget(tmp_path: Path) -> None:
    fake = _FakeNominatim(_anefis())
    geocoder = _geocoder(tmp_path, fake, max_requests=1)
    geocoder.geocode("Anefis")
    geocoder.geocode("Anefis")  # cached: free
    with pytest.raises(GeocodingBudgetExceeded, match="1 requests sent"):
        geocoder.geocode("Tin Essako")
    assert len(fake.calls) == 1


# -- rate limiting -----------------------------------------------------------------


def test_rate_limiter_wiring_and_policy(tmp_path: Path) -> None:
    fake = _FakeNominatim(_anefis())
    geocoder = _geocoder(tmp_path, fake)
    limiter = geocoder.rate_limited
    assert isinstance(limiter, RateLimiter)
    assert limiter.min_delay_seconds == 1.0
    assert limiter.func == fake.geocode
    assert geocoder.rate_limited is limiter  # built once, shared by all calls

    sleeps: list[float] = []
    _instant(limiter, sleeps)
    geocoder.geocode("Anefis")
    geocoder.geocode("Tin Essako")
    geocoder.geocode("Tin Essako")  # cached: no request, no wait
    assert sleeps == [pytest.approx(1.0)]
    assert len(fake.calls) == 2

    with pytest.raises(ValueError, match="below nominatim's policy"):
        _geocoder(tmp_path, fake, min_delay_seconds=0.2)
    geonames = OnlineGeocoder(
        "geonames", enabled=True, cache_path=tmp_path / "c.sqlite", geocoder=fake
    )
    assert geonames.rate_limited.min_delay_seconds == 4.0


def test_real_nominatim_is_built_with_our_user_agent(tmp_path: Path) -> None:
    from geopy.geocoders import Nominatim

    geocoder = OnlineGeocoder(enabled=True, cache_path=tmp_path / "c.sqlite")
    assert geocoder.user_agent == DEFAULT_USER_AGENT
    built = geocoder.rate_limited.func.__self__
    assert isinstance(built, Nominatim)
    assert built.headers["User-Agent"] == DEFAULT_USER_AGENT
    with pytest.raises(ValueError, match="library default"):
        OnlineGeocoder(user_agent="geopy/2.5", cache_path=tmp_path / "c.sqlite")


def test_geonames_needs_a_username(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_GEONAMES_USERNAME", raising=False)
    geocoder = OnlineGeocoder("geonames", enabled=True, cache_path=tmp_path / "c.sqlite")
    with pytest.raises(OnlineGeocodingError, match="account name"):
        _ = geocoder.rate_limited
    with pytest.raises(ValueError, match="unknown provider"):
        OnlineGeocoder("bing")


# -- result shaping (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "precision"),
    [
        ({"addresstype": "town"}, 1),
        ({"addresstype": "city"}, 1),
        ({"type": "village"}, 1),
        ({"addresstype": "county"}, 3),
        ({"addresstype": "state"}, 3),
        ({"addresstype": "region"}, 3),
        ({"addresstype": "municipality"}, 2),
        ({"addresstype": "road"}, 2),
        ({}, 2),
    ],
)
def test_nominatim_precision(raw: dict[str, Any], precision: int) -> None:
    assert precision_for("nominatim", raw) == precision


@pytest.mark.parametrize(
    ("raw", "precision"),
    [
        ({"fcode": "PPL"}, 1),
        ({"fcode": "PPLA2"}, 1),
        ({"fcode": "ADM1"}, 3),
        ({"fcode": "PCLI"}, 3),
        ({"fcode": "MTS", "fcl": "T"}, 3),
        ({"fcode": "WLL", "fcl": "H"}, 2),
    ],
)
def test_geonames_precision(raw: dict[str, Any], precision: int) -> None:
    assert precision_for("geonames", raw) == precision


def test_to_result_shapes_both_providers() -> None:
    payload = {"latitude": 18.05, "longitude": 0.6, "address": "Anefis, Kidal, Mali"}
    nominatim = to_result("Anefis", "nominatim", {**payload, "raw": _ANEFIS_RAW})
    assert nominatim is not None
    assert (nominatim.name, nominatim.iso3, nominatim.admin1) == ("Anefis", "MLI", "Kidal")
    assert nominatim.source == "online:nominatim" and nominatim.geonameid is None
    raw = {
        "name": "In Amenas",
        "fcode": "PPL",
        "countryCode": "DZ",
        "adminName1": "Illizi",
        "population": 5000,
        "geonameId": 123,
    }
    geonames = to_result("In Amenas", "geonames", {**payload, "raw": raw})
    assert geonames is not None
    assert (geonames.iso3, geonames.admin1, geonames.population, geonames.geonameid) == (
        "DZA",
        "Illizi",
        5000,
        123,
    )
    assert geonames.geo_precision == 1 and geonames.source == "online:geonames"
    assert to_result("x", "nominatim", None) is None


def test_unusable_cache_is_an_online_error_and_nothing_is_asked(tmp_path: Path) -> None:
    # a file where the cache folder should be: no cache, so no request either
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    fake = _FakeNominatim(answer=_anefis())
    online = OnlineGeocoder(
        "nominatim", enabled=True, cache_path=blocker / "c.sqlite", geocoder=fake
    )
    with pytest.raises(OnlineGeocodingError, match="geocoding cache .* cannot be used"):
        online.geocode("Anefis")
    assert fake.calls == []
    with pytest.warns(UserWarning, match="cannot be used"):
        assert load_gazetteer().lookup("Anefis", online=online) is None
