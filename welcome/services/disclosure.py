"""Small-number protection for the figures the advisory board reads.

Monitoring is anonymous, but a count of 1 or 2 can still point at a person ("the one family
from X who came through an employer"). For the ``board`` role every page and export follows
this rule; staff see exact figures (and can preview the board's view).

1. **Small counts.** Every count of people, cases, needs, referrals, intakes or
   consultations below 5 – zero included – is shown as "< 5".
2. **Totals that would give a small count away.** Where counts add up to another count shown
   in the same page or export (the rows of a table and its total, met + open + unmet =
   recorded, the months of the trend and the period's figure), a "< 5" could be worked out
   by subtraction. Every such relation is checked, knowing what a reader knows: "< 5" means
   0 to 4, "x" means 5 or more. While a "< 5" can be worked out exactly, the nearest shown
   count of its relations is hidden as well and shown as "x" – the smallest, and a part
   before a total – until none can. A count hidden on the way that can still be worked out
   exactly from what is shown is shown after all: it hides nothing. So that the rows of a
   table say nothing by being there, tables list every entry of their catalogue (every field
   of action, reason, source, channel, active partner …), and the clients' most frequent
   languages are only those with at least 5 persons.
3. **Derived figures.** A difference to the previous period, a percentage or any other
   comparison is shown only when every count it is computed from is shown. Medians and 90th
   percentiles are shown only when the number of measurements behind them is shown (so at
   least 5).
4. **Rankings and charts show only what the table shows.** Hidden counts sort after shown
   ones (ties by name), bars and points of hidden counts are drawn as a hatched "< 5" band or
   left out, never at their true size.
5. **Partners are not people.** How many partner organisations offer a language is shown
   as it is.

Each page and export is protected on its own. Comparing many overlapping periods can narrow
figures down further; for the board, custom periods are therefore widened to whole months.
"""

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum

#: Counts below this are small.
THRESHOLD = 5
#: Stands for "unbounded" in the reader's knowledge of a hidden count.
UNBOUNDED = 10**15
#: Enough rounds of reasoning for any page (each round can only narrow what is known).
MAX_ROUNDS = 50


class State(StrEnum):
    SHOWN = "shown"
    #: 0 to 4, shown as "< 5".
    SMALL = "small"
    #: 5 or more, hidden so that a small count cannot be worked out; shown as "x".
    HIDDEN = "hidden"


class Count:
    """One published count and whether it may be shown."""

    __slots__ = ("index", "state", "value")

    def __init__(self, value: int, index: int) -> None:
        self.value = int(value)
        self.index = index
        self.state = State.SHOWN

    @property
    def shown(self) -> bool:
        return self.state is State.SHOWN

    def __repr__(self) -> str:
        return f"<Count {self.value} {self.state}>"


class Disclosure:
    """The counts of one page or export and how they add up; :meth:`apply` protects them.

    Counts are made with :meth:`count`; every relation "these counts add up to that one" that
    a reader could see is declared with :meth:`adds_up`.
    """

    def __init__(self, protect: bool) -> None:
        self.protect = protect
        self.counts: list[Count] = []
        self.relations: list[tuple[Count, tuple[Count, ...]]] = []

    def count(self, value: int) -> Count:
        made = Count(value, len(self.counts))
        self.counts.append(made)
        return made

    def adds_up(self, total: Count, parts: Iterable[Count]) -> None:
        """Declare that ``parts`` add up to ``total``, as a reader of the page can see.

        :raises ValueError: when they do not (a figure would contradict its table).
        """
        parts = tuple(parts)
        if sum(part.value for part in parts) != total.value:
            raise ValueError(f"{parts!r} do not add up to {total!r}")
        self.relations.append((total, parts))

    def apply(self) -> None:
        """Rules 1 and 2 of the module: mark small counts, then hide until none can be derived.

        Each round hides one count for every small count found exposed (at most one per
        relation), then reasons again; a relation of shown counts only tells nothing new and
        is left out of the reasoning.
        """
        if not self.protect:
            return
        for count in self.counts:
            if count.value < THRESHOLD:
                count.state = State.SMALL
        touching: dict[int, list[tuple[Count, tuple[Count, ...]]]] = defaultdict(list)
        for relation in self.relations:
            for member in (relation[0], *relation[1]):
                touching[member.index].append(relation)
        while True:
            unknown = [(total, parts) for total, parts in self.relations
                       if not total.shown or not all(part.shown for part in parts)]
            low, high = self.knowledge(unknown)
            changed: set[int] = set()
            for count in self.counts:
                if count.state is not State.SMALL or low[count.index] != high[count.index]:
                    continue
                if any(id(relation) in changed for relation in touching[count.index]):
                    continue
                hidden = self._hide_near(count, low, high, touching)
                if hidden is not None:
                    changed.update(id(relation) for relation in touching[hidden.index])
            if not changed:
                self._show_what_is_known_anyway()
                return

    def _show_what_is_known_anyway(self) -> None:
        """A count hidden on the way that the reader can still work out exactly from what is
        shown (recorded − met − open = unmet, say) hides nothing: show it. Showing a value the
        reader already knows tells them nothing new, so no small count becomes derivable."""
        low, high = self.knowledge(self.relations)
        for count in self.counts:
            if count.state is State.HIDDEN and low[count.index] == high[count.index]:
                count.state = State.SHOWN

    def knowledge(self, relations: list[tuple[Count, tuple[Count, ...]]],
                  ) -> tuple[list[int], list[int]]:
        """The smallest and largest value a reader can still believe for every count (by
        index), from what is shown and the given relations."""
        low, high = [], []
        for count in self.counts:
            if count.state is State.SHOWN:
                bounds = (count.value, count.value)
            elif count.state is State.SMALL:
                bounds = (0, THRESHOLD - 1)
            else:
                bounds = (THRESHOLD, UNBOUNDED)
            low.append(bounds[0])
            high.append(bounds[1])
        indexed = [(total.index, [part.index for part in parts]) for total, parts in relations]
        for _round in range(MAX_ROUNDS):
            changed = False
            for t, parts in indexed:
                parts_low = sum(low[p] for p in parts)
                parts_high = sum(high[p] for p in parts)
                if parts_low > low[t] or parts_high < high[t]:
                    low[t], high[t] = max(low[t], parts_low), min(high[t], parts_high)
                    changed = True
                for p in parts:
                    least = low[t] - (parts_high - high[p])
                    most = high[t] - (parts_low - low[p])
                    if least > low[p] or most < high[p]:
                        low[p], high[p] = max(low[p], least), min(high[p], most)
                        changed = True
            if not changed:
                break
        return low, high

    def _hide_near(self, exposed: Count, low: list[int], high: list[int],
                   touching: dict[int, list[tuple[Count, tuple[Count, ...]]]]) -> Count | None:
        """Hide the shown count nearest to ``exposed`` through the relations, smallest first.

        Counts a reader can work out exactly act as shown ones, so the search goes on through
        them until it finds a shown count to hide (a part before a total, at equal distance).
        """
        seen = {exposed.index}
        frontier = [exposed]
        while frontier:
            candidates: list[tuple[bool, int, int, Count]] = []
            further: list[Count] = []
            for known in frontier:
                for total, parts in touching[known.index]:
                    for member in (total, *parts):
                        if member.index in seen:
                            continue
                        seen.add(member.index)
                        if member.shown:
                            candidates.append((member is total, member.value, member.index,
                                               member))
                        elif low[member.index] == high[member.index]:
                            further.append(member)
            if candidates:
                hidden = min(candidates, key=lambda c: c[:3])[3]
                hidden.state = State.HIDDEN
                return hidden
            frontier = further
        return None


def all_shown(*counts: Count) -> bool:
    """Whether a figure derived from ``counts`` may be shown (rule 3)."""
    return all(count.shown for count in counts)
