"""The configurable actor dictionary (``config/actors.toml``).

It turns the many ways reports and UCDP name an armed group or force
("MUJAO", "Movement for Oneness and Jihad in West Africa", "French and
Chadian troops") into one canonical actor name per actor, which is what the
store keeps in ``actor1`` / ``actor2``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import config
from geo.reference.names import fold

KINDS = ("state", "non-state", "international", "civilian")


@dataclass(frozen=True)
class Actor:
    """One actor of the dictionary."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()

    def label(self, country: str = "") -> str:
        """The stored name, with ``{country}`` filled (or dropped when unknown)."""
        if "{country}" not in self.name:
            return self.name
        if country:
            return self.name.replace("{country}", country)
        return re.sub(r"\s*\(\{country\}\)|\s*of \{country\}|\{country\}", "", self.name).strip()


@dataclass(frozen=True)
class Mention:
    """Where the text names one or more actors (a chain like "French and Chadian troops")."""

    start: int
    end: int
    text: str
    actors: tuple[Actor, ...]


def _flexible(phrase: str) -> str:
    """Regex for a phrase that tolerates case, spacing, hyphens and apostrophes."""
    words = [w for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    parts = [re.escape(w).replace("'", "['\u2019]?").replace("\\'", "['\u2019]?") for w in words]
    return r"[\s\-]+".join(parts)


class ActorDictionary:
    """Actors with their aliases, and a matcher over text.

    Parameters
    ----------
    actors : sequence of Actor
    force_nouns : sequence of str
        Nouns that, after a country adjective, name that country's forces.
    """

    def __init__(self, actors: list[Actor], force_nouns: list[str] | tuple[str, ...] = ()):
        self.actors = tuple(actors)
        self._by_alias: dict[str, Actor] = {}
        for actor in self.actors:
            for alias in (actor.label(), *actor.aliases):
                self._by_alias.setdefault(fold(alias), actor)
        alias_list = sorted(
            ((alias, actor) for actor in self.actors for alias in actor.aliases),
            key=lambda item: -len(item[0]),
        )
        self._alias_res = [
            (re.compile(rf"(?<![\w-]){_flexible(a)}(?![\w-])", re.IGNORECASE), actor)
            for a, actor in alias_list
        ]
        self._by_adjective = {
            adj.casefold(): actor for actor in self.actors for adj in actor.adjectives
        }
        self._chain_re: re.Pattern[str] | None = None
        if self._by_adjective and force_nouns:
            adj = "|".join(re.escape(a) for a in sorted(self._by_adjective, key=len, reverse=True))
            stems = sorted({n.strip().rstrip("s") for n in force_nouns if n.strip()}, key=len)
            noun = "|".join(_flexible(n) for n in reversed(stems))
            one = rf"(?:{adj})(?:-led)?"
            self._chain_re = re.compile(
                rf"(?<![\w-]){one}(?:\s*(?:,|\band\b|&)\s*{one})*\s+(?:{noun})s?(?![\w-])",
                re.IGNORECASE,
            )
            self._adj_re = re.compile(rf"(?<![\w-])({adj})", re.IGNORECASE)

    def canonical(self, name: str) -> Actor | None:
        """The actor a whole name stands for (alias or canonical name), else None."""
        return self._by_alias.get(fold(name))

    def find(self, text: str) -> list[Mention]:
        """Every actor mention in ``text``, in order, longest match first on overlap."""
        found: list[Mention] = []
        if self._chain_re is not None:
            for m in self._chain_re.finditer(text):
                actors = tuple(
                    dict.fromkeys(
                        self._by_adjective[a.group(1).casefold()]
                        for a in self._adj_re.finditer(m.group(0))
                    )
                )
                found.append(Mention(m.start(), m.end(), m.group(0), actors))
        for pattern, actor in self._alias_res:
            for m in pattern.finditer(text):
                found.append(Mention(m.start(), m.end(), m.group(0), (actor,)))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return kept


def _entry_error(path: Path, index: int, message: str) -> ValueError:
    return ValueError(f"{path}: [[actor]] entry {index + 1}: {message}")


def parse_actors(data: dict[str, object], path: Path) -> ActorDictionary:
    """Build a dictionary from parsed TOML, checking each entry."""
    entries = data.get("actor", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected [[actor]] tables")
    actors = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise _entry_error(path, i, "expected a table")
        name = entry.get("name")
        kind = entry.get("kind")
        if not isinstance(name, str) or not name.strip():
            raise _entry_error(path, i, f"'name' must be a non-empty string, got {name!r}")
        if kind not in KINDS:
            raise _entry_error(path, i, f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
        lists = {}
        for key in ("aliases", "adjectives"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _entry_error(path, i, f"'{key}' must be a list of strings, got {value!r}")
            lists[key] = tuple(v for v in value if v.strip())
        actors.append(Actor(name.strip(), kind, lists["aliases"], lists["adjectives"]))
    nouns = data.get("force_nouns", [])
    if not isinstance(nouns, list) or not all(isinstance(n, str) for n in nouns):
        raise ValueError(f"{path}: 'force_nouns' must be a list of strings")
    return ActorDictionary(actors, nouns)


def load_actors(path: str | Path | None = None) -> ActorDictionary:
    """Read the actor dictionary (default ``config/actors.toml``).

    Raises
    ------
    ValueError
        Naming the file and entry when the file is not valid.
    """
    p = Path(path) if path is not None else config.ACTORS_FILE
    return _load_cached(str(p.resolve()), p.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_cached(path: str, _mtime: int) -> ActorDictionary:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p}: not valid TOML ({exc})") from None
    return parse_actors(data, p)
