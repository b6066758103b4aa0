"""Region names from reports reconciled with an area layer.

Region names in reports rarely match a layer's spelling ("Tombouctou" for
Timbuktu, "Segou", "Koulikouro"); :class:`AreaNames` reconciles them with
the layer's names and aliases, folded by :func:`geo.reference.names.fold`,
and a conservative fuzzy fallback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.model.params import text_column
from geo.reference.area_layer import CRS, clean_text
from geo.reference.names import fold, fold_series

__all__ = ["AreaMatch", "AreaNames"]

# Generic words reports put around a region's name ("Gao Region",
# "Région de Tombouctou", "Wilaya d'Adrar"), folded.
_GENERIC = frozenset(
    {
        "region",
        "regions",
        "province",
        "prefecture",
        "governorate",
        "gouvernorat",
        "muhafazat",
        "muhafazah",
        "wilaya",
        "willaya",
        "district",
        "state",
        "etat",
    }
)
_LINKS = frozenset({"de", "du", "des", "d", "of", "la", "le", "l", "the"})


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _core(key: str) -> str:
    """A folded name without generic admin words and the links around them."""
    words = [w for w in key.split() if w not in _GENERIC]
    if len(words) == len(key.split()):
        return key
    while words and words[0] in _LINKS:
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class AreaMatch:
    """One resolved area: its canonical name, code and country."""

    area: str
    area_code: str
    iso3: str


def _area_frame(areas: pd.DataFrame) -> pd.DataFrame:
    """Each row's area name, code (``""`` when the layer has none) and upper-case ISO3."""
    return pd.DataFrame(
        {
            "area": clean_text(areas["area"]),
            "area_code": text_column(areas, "area_code").str.strip(),
            "iso3": clean_text(areas["iso3"]).str.upper(),
        }
    )


def _distinct_areas(frame: pd.DataFrame) -> tuple[list[AreaMatch], np.ndarray]:
    """The distinct (area, code, country) entries in first-seen order, and each row's entry."""
    keys = list(frame[["iso3", "area_code", "area"]].itertuples(index=False, name=None))
    entry_index: dict[tuple[str, str, str], int] = {}
    for key in keys:
        entry_index.setdefault(key, len(entry_index))
    entries = [AreaMatch(a, c, i) for i, c, a in entry_index]
    entry_of_row = np.array([entry_index[k] for k in keys], dtype=int)
    return entries, entry_of_row


def _merged_geometries(
    areas: pd.DataFrame, entry_of_row: np.ndarray, n_entries: int
) -> np.ndarray | None:
    """One geometry per entry (the union of its rows); None when the layer has no geometry."""
    if "geometry" not in areas.columns:
        return None
    geoms = np.asarray(areas.geometry.to_numpy(), dtype=object)
    merged = np.empty(n_entries, dtype=object)
    for e in range(n_entries):
        parts = geoms[entry_of_row == e]
        merged[e] = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    return merged


def _names(
    entries: list[AreaMatch], entry_of_row: np.ndarray, alias_text: np.ndarray
) -> list[tuple[str, int, int]]:
    """Every (name, entry, tier) to index; tier 0 canonical names, 1 codes, 2 aliases."""
    names: list[tuple[str, int, int]] = []
    for row, e in enumerate(entry_of_row):
        ent = entries[e]
        names.append((ent.area, int(e), 0))
        if ent.area_code:
            names.append((ent.area_code, int(e), 1))
        for alias in str(alias_text[row]).split("|"):
            if alias.strip():
                names.append((alias.strip(), int(e), 2))
    return names


def _country_names(areas: pd.DataFrame, iso3: pd.Series) -> dict[str, str]:
    """ISO3 -> the country name the layer gives (its ``country`` column), where it gives one."""
    if "country" not in areas.columns:
        return {}
    named = pd.DataFrame({"iso3": iso3, "name": clean_text(areas["country"])})
    named = named[(named["iso3"] != "") & (named["name"] != "")]
    return dict(named.drop_duplicates("iso3").itertuples(index=False, name=None))


def _sovereigns(areas: pd.DataFrame, iso3: pd.Series) -> dict[str, str]:
    """ISO3 -> its sovereign's ISO3 (the layer's ``sov_iso3``), where the two differ."""
    if "sov_iso3" not in areas.columns:
        return {}
    pairs = pd.DataFrame({"iso3": iso3, "sov": clean_text(areas["sov_iso3"]).str.upper()})
    pairs = pairs[(pairs["sov"] != "") & (pairs["sov"] != pairs["iso3"])]
    return dict(pairs.drop_duplicates("iso3").itertuples(index=False, name=None))


class AreaNames:
    """Reconcile region names from reports with an area layer.

    Names are folded (:func:`geo.reference.names.fold`: case, accents, apostrophes,
    hyphens, spacing) and looked up, in this order, among:

    1. canonical names (``area``), then ``area_code`` values, then aliases;
    2. the same with spaces dropped and generic words ("Region", "Wilaya de",
       "Province") removed on both sides;
    3. a fuzzy match (``difflib`` ratio >= ``min_ratio``) against the names
       and aliases of the given country only. Without ``iso3`` the fuzzy step
       is taken only when one area clearly wins across all countries.

    A name that fits several areas equally well (without ``iso3``, or two
    units of one country sharing an alias) resolves to nothing rather than to
    a guess.

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
        An area layer with ``area``, ``iso3`` and optionally ``area_code``,
        ``aliases`` and ``geometry``.
    min_ratio : float
        Fuzzy threshold, 0-1.

    Examples
    --------
    >>> names = AreaNames(load_admin1())  # doctest: +SKIP
    >>> names.resolve("Tombouctou"), names.resolve("Koulikouro", iso3="MLI")  # doctest: +SKIP
    ('Timbuktu', 'Koulikoro')
    """

    def __init__(self, areas: pd.DataFrame, min_ratio: float = 0.85) -> None:
        if "area" not in areas.columns or "iso3" not in areas.columns:
            raise ValueError(
                f"AreaNames needs 'area' and 'iso3' columns; got {list(areas.columns)}"
            )
        self.min_ratio = float(min_ratio)
        if isinstance(areas, gpd.GeoDataFrame) and areas.crs is not None:
            areas = areas.to_crs(CRS)
        frame = _area_frame(areas)
        # One entry per distinct area: user layers may split an area into rows.
        self._entries, entry_of_row = _distinct_areas(frame)
        self._geoms = _merged_geometries(areas, entry_of_row, len(self._entries))
        self._exact: dict[tuple[str, str], dict[int, int]] = {}
        self._loose: dict[tuple[str, str], dict[int, int]] = {}
        self._by_country: dict[str, list[tuple[str, int]]] = {}
        alias_text = text_column(areas, "aliases").str.strip().to_numpy(dtype=object)
        for name, e, tier in _names(self._entries, entry_of_row, alias_text):
            self._index_name(name, e, tier)
        self.countries = frozenset(ent.iso3 for ent in self._entries)
        self._country_names = _country_names(areas, frame["iso3"])
        self._country_geoms: dict[str, shapely.Geometry] = {}
        self._sovereigns = _sovereigns(areas, frame["iso3"])
        self._tree: shapely.STRtree | None = None

    def _index_name(self, name: str, e: int, tier: int) -> None:
        """File one name of entry ``e`` under its folded and loose keys, per country and for all."""
        iso = self._entries[e].iso3
        key = fold(name)
        if not key:
            return
        loose = _core(key).replace(" ", "")
        for table, k in ((self._exact, key), (self._loose, loose)):
            for scope in (iso, ""):
                slot = table.setdefault((scope, k), {})
                slot[e] = min(slot.get(e, tier), tier)
        # Codes stay out of the fuzzy pool: a code one character off is another
        # area's code, not a misspelling.
        if tier != 1:
            self._by_country.setdefault(iso, []).append((loose, e))

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _best(slot: dict[int, int] | None) -> int | None:
        """The single best entry of a lookup slot, or None when tied/empty."""
        if not slot:
            return None
        top = min(slot.values())
        winners = [e for e, t in slot.items() if t == top]
        return winners[0] if len(winners) == 1 else None

    def _fuzzy(self, loose: str, iso3: str) -> int | None:
        if not loose:
            return None
        if iso3:
            pool = self._by_country.get(iso3, [])
        else:
            pool = [item for items in self._by_country.values() for item in items]
        scores: dict[int, float] = {}
        matcher = difflib.SequenceMatcher(b=loose, autojunk=False)
        for cand, e in pool:
            matcher.set_seq1(cand)
            if (
                matcher.real_quick_ratio() < self.min_ratio
                or matcher.quick_ratio() < self.min_ratio
            ):
                continue
            r = matcher.ratio()
            if r >= self.min_ratio and r > scores.get(e, 0.0):
                scores[e] = r
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 0.02:
            return None
        return ranked[0][0]

    def _resolve_entry(self, name: object, iso3: object = None) -> int | None:
        key = "" if _missing(name) else fold(name)
        if not key:
            return None
        iso = "" if _missing(iso3) else str(iso3).strip().upper()
        if iso and iso not in self.countries:
            return None
        found = self._best(self._exact.get((iso, key)))
        if found is not None or (iso, key) in self._exact:
            return found
        loose = _core(key).replace(" ", "")
        found = self._best(self._loose.get((iso, loose)))
        if found is not None or (iso, loose) in self._loose:
            return found
        return self._fuzzy(loose, iso)

    def match(self, name: object, iso3: object = None) -> AreaMatch | None:
        """The area ``name`` refers to (within ``iso3`` when given), or None."""
        e = self._resolve_entry(name, iso3)
        return None if e is None else self._entries[e]

    def resolve(self, name: object, iso3: object = None) -> str | None:
        """Canonical area name for ``name`` (within country ``iso3`` when given), or None.

        Examples
        --------
        >>> names.resolve("Tombouctou")  # doctest: +SKIP
        'Timbuktu'
        """
        m = self.match(name, iso3)
        return None if m is None else m.area

    def _entry_series(self, names: pd.Series, iso3: pd.Series | str | None) -> pd.Series:
        if isinstance(iso3, pd.Series):
            iso = clean_text(iso3.reindex(names.index)).str.upper()
        else:
            iso = pd.Series((iso3 or "").upper(), index=names.index, dtype="string")
        pairs = pd.DataFrame({"name": clean_text(names), "iso": iso})
        # Resolve each distinct (name, country) once: reports repeat the same
        # few region names thousands of times.
        uniq = pairs.drop_duplicates().reset_index(drop=True)
        uniq["folded"] = fold_series(uniq["name"])
        uniq["entry"] = [
            self._resolve_entry(n, i or None) if f else None
            for n, i, f in uniq[["name", "iso", "folded"]].itertuples(index=False)
        ]
        merged = pairs.merge(uniq[["name", "iso", "entry"]], on=["name", "iso"], how="left")
        return pd.Series(merged["entry"].to_numpy(), index=names.index, dtype="Int64")

    def match_series(self, names: pd.Series, iso3: pd.Series | str | None = None) -> pd.DataFrame:
        """Vectorized :meth:`match`: columns ``area``, ``area_code``, ``iso3``.

        Unresolved names give ``<NA>`` in all three columns; the index is
        ``names``'s index.
        """
        entries = self._entry_series(names, iso3)
        # The last row of the table is all-missing, for names that did not resolve.
        table = pd.DataFrame(
            [(m.area, m.area_code, m.iso3) for m in self._entries] + [(pd.NA, pd.NA, pd.NA)],
            columns=["area", "area_code", "iso3"],
            dtype="string",
        )
        pos = entries.fillna(len(self._entries)).to_numpy(dtype=int)
        out = table.iloc[pos].reset_index(drop=True)
        out.index = names.index
        return out

    def resolve_series(self, names: pd.Series, iso3: pd.Series | str | None = None) -> pd.Series:
        """Vectorized :meth:`resolve`: canonical names, ``<NA>`` where unresolved.

        Parameters
        ----------
        names : Series
            Region names as reported.
        iso3 : Series or str, optional
            Country per name (aligned on the index) or one country for all.
        """
        return self.match_series(names, iso3)["area"]

    def sovereign(self, iso3: str) -> str:
        """The country sovereign over ``iso3`` in the layer (``sov_iso3``), else ``iso3``.

        A source may code a territory's events to its sovereign (Hong Kong's
        to China), so both count as the territory's own country.
        """
        return self._sovereigns.get(iso3, iso3)

    def areas_at(self, lon: np.ndarray, lat: np.ndarray) -> list[AreaMatch | None]:
        """The area each point lies in, None outside every area (the layer needs geometry).

        A point on an edge shared by several areas gets the one with the
        lowest ``area_code``, then ``area``, as :func:`geo.analysis.spatial.join_areas`
        does.
        """
        if self._geoms is None:
            raise ValueError("this AreaNames was built without geometry")
        if self._tree is None:
            self._tree = shapely.STRtree(self._geoms)
        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        point_idx, entry_idx = self._tree.query(points, predicate="intersects")
        found: list[AreaMatch | None] = [None] * len(points)
        ranked = sorted(
            zip(point_idx.tolist(), entry_idx.tolist(), strict=True),
            key=lambda pe: (pe[0], self._entries[pe[1]].area_code, self._entries[pe[1]].area),
        )
        for point, entry in ranked:
            if found[point] is None:
                found[point] = self._entries[entry]
        return found

    def country_label(self, iso3: str) -> str:
        """``"Egypt (EGY)"`` when the layer names the country, else the code."""
        name = self._country_names.get(iso3, "")
        return f"{name} ({iso3})" if name else iso3

    def country_geometry_of(self, codes: Iterable[str]) -> np.ndarray:
        """Union of each country's areas, one per code (the layer must have had geometry).

        Each country's union is computed once and kept.
        """
        if self._geoms is None:
            raise ValueError("this AreaNames was built without geometry")
        codes = list(codes)
        for code in set(codes) - set(self._country_geoms):
            own = [e for e, ent in enumerate(self._entries) if ent.iso3 == code]
            if not own:
                raise KeyError(f"no area of country {code!r} in this layer")
            self._country_geoms[code] = shapely.union_all(self._geoms[own])
        return np.array([self._country_geoms[c] for c in codes], dtype=object)

    def geometry_of(self, entries: Iterable[AreaMatch]) -> np.ndarray:
        """Polygons of the given matches (the layer must have had geometry)."""
        if self._geoms is None:
            raise ValueError("this AreaNames was built without geometry")
        index = {m: i for i, m in enumerate(self._entries)}
        return np.array([self._geoms[index[m]] for m in entries], dtype=object)
