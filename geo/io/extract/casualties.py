"""The deaths and injuries of one event, gathered from every sentence about it.

Wire stories and sitreps state an event's toll in pieces: "killing four
soldiers" in the lead, "the attacker also died" two sentences on, "bringing
the toll to twenty-one" in a later paragraph, « deux autres assaillants ont
été abattus ». :class:`Casualties` adds them up the way an analyst would:

* deaths that are not the attackers' and the attackers' own deaths are kept
  apart, and both are counted (ACLED counts attackers and suicide bombers);
* a later sentence that restates a figure ("The two men were shot dead"
  after "the killing of two staff members") does not add to it: the larger
  figure stands; one that says "more", "other" or "also" adds;
* a revised toll ("the toll rose to", « le bilan est passé à ») replaces
  the victims' count; a first toll that a later one revised is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.io.extract.figures import Figures


def _combine(old: int | None, new: int | None, more: bool) -> int | None:
    if new is None:
        return old
    if old is None:
        return new
    return old + new if more else max(old, new)


@dataclass
class Casualties:
    """Deaths and injuries of one event (None where no sentence stated any).

    ``others`` are the deaths that are not the attackers', ``attackers``
    the attackers' own, ``revised`` a toll the text gives as final;
    ``groups`` who the dead were (see :mod:`geo.io.extract.victims`).
    """

    others: int | None = None
    attackers: int | None = None
    revised: int | None = None
    injuries: int | None = None
    groups: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def fatalities(self) -> int | None:
        """Every death counted: the victims (or the revised toll) and the attackers."""
        victims = self.revised if self.revised is not None else self.others
        if victims is None and self.attackers is None:
            return None
        return (victims or 0) + (self.attackers or 0)

    def add(self, figures: Figures) -> None:
        """Add what one sentence (or clause) states about the event."""
        if figures.toll is not None:
            self.revised = figures.toll
        else:
            self.others = _combine(self.others, figures.others, figures.more)
            self.attackers = _combine(self.attackers, figures.attackers, figures.more)
        self.injuries = _combine(self.injuries, figures.injuries, False)
        self.groups |= figures.groups
        self.notes += [n for n in figures.notes if n not in self.notes]

    def summary(self) -> list[str]:
        """Notes for the analyst: how the toll was read."""
        out = list(self.notes)
        if self.attackers:
            out.append(f"{self.attackers} of the dead are attackers (counted, as ACLED does)")
        return out
