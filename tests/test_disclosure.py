"""The board's small-number rule, on its own: what is hidden, and that nothing can be derived."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from welcome.services.disclosure import THRESHOLD, Disclosure, State, all_shown


def protected(values, total=None):
    """A one-row table: ``values`` and their total, protected."""
    disclosure = Disclosure(protect=True)
    parts = [disclosure.count(value) for value in values]
    whole = disclosure.count(sum(values) if total is None else total)
    disclosure.adds_up(whole, parts)
    disclosure.apply()
    return parts, whole


def possible_values(parts, whole, limit=40):
    """Every value a reader could believe for each part, from what is shown: shown counts
    as they are, "< 5" as 0 to 4, "x" as 5 or more. Brute force."""
    def candidates(count):
        if count.state is State.SHOWN:
            return [count.value]
        if count.state is State.SMALL:
            return list(range(THRESHOLD))
        return list(range(THRESHOLD, limit))

    seen = [set() for _ in parts]
    for total in candidates(whole):
        for combination in itertools.product(*(candidates(part) for part in parts)):
            if sum(combination) == total:
                for index, value in enumerate(combination):
                    seen[index].add(value)
    return seen


def test_counts_below_five_are_small_zero_included_and_others_shown():
    parts, whole = protected([0, 3, 4, 5, 12])
    assert [part.state for part in parts] == [State.SMALL, State.SMALL, State.SMALL,
                                              State.SHOWN, State.SHOWN]
    assert whole.state is State.SHOWN


def test_nothing_is_hidden_for_staff():
    disclosure = Disclosure(protect=False)
    parts = [disclosure.count(value) for value in (1, 2, 30)]
    disclosure.adds_up(disclosure.count(33), parts)
    disclosure.apply()
    assert all(count.state is State.SHOWN for count in disclosure.counts)


def test_a_single_small_count_beside_its_total_hides_the_next_smallest():
    """12 = 9 + 3: with 9 and 12 shown, the 3 would be obvious; the 9 is hidden as "x"."""
    parts, whole = protected([9, 3])
    assert [part.state for part in parts] == [State.HIDDEN, State.SMALL]
    assert whole.state is State.SHOWN
    assert len(possible_values(parts, whole)[1]) > 1


def test_a_total_made_only_of_small_counts_at_their_largest_is_hidden():
    """8 = 4 + 4: both "< 5" could only be 4; the total goes instead."""
    parts, whole = protected([4, 4])
    assert whole.state is State.HIDDEN
    assert all(len(values) > 1 for values in possible_values(parts, whole))


def test_hidden_totals_are_derived_through_other_relations_too():
    """Recorded = met + open + unmet in a row, and every column adds up to a shown total:
    the rule follows the chain and hides until the small counts are safe."""
    disclosure = Disclosure(protect=True)
    rows = [(10, 7, 3), (20, 14, 6)]
    cells = [[disclosure.count(value) for value in row] for row in rows]
    for row in cells:
        disclosure.adds_up(row[0], row[1:])
    for column in range(3):
        disclosure.adds_up(disclosure.count(sum(row[column] for row in rows)),
                           [row[column] for row in cells])
    disclosure.apply()
    assert cells[0][2].state is State.SMALL
    low, high = disclosure.knowledge(disclosure.relations)
    assert [c for c in disclosure.counts
            if c.state is State.SMALL and low[c.index] == high[c.index]] == []
    assert any(count.state is State.HIDDEN for count in disclosure.counts)


def test_a_count_the_reader_works_out_anyway_is_shown():
    """The gap table: recorded = met + open + unmet per field and in total. Hiding the unmet
    total (16) would hide nothing, as 124 − 26 − 82 = 16 is on the page; it stays shown."""
    disclosure = Disclosure(protect=True)
    rows = [(60, 10, 47, 3), (64, 16, 35, 13)]
    cells = [[disclosure.count(value) for value in row] for row in rows]
    for row in cells:
        disclosure.adds_up(row[0], row[1:])
    totals = [disclosure.count(sum(row[column] for row in rows)) for column in range(4)]
    for column, total in enumerate(totals):
        disclosure.adds_up(total, [row[column] for row in cells])
    disclosure.adds_up(totals[0], totals[1:])
    disclosure.apply()
    assert cells[0][3].state is State.SMALL
    assert [total.state for total in totals] == [State.SHOWN] * 4
    low, high = disclosure.knowledge(disclosure.relations)
    assert [c for c in disclosure.counts
            if c.state is not State.SHOWN and low[c.index] == high[c.index]] == []


def test_derived_figures_need_every_count_they_come_from():
    disclosure = Disclosure(protect=True)
    small, large = disclosure.count(3), disclosure.count(40)
    disclosure.apply()
    assert not all_shown(small, large)
    assert all_shown(large)


def test_declaring_a_sum_that_does_not_add_up_is_a_programming_error():
    disclosure = Disclosure(protect=True)
    with pytest.raises(ValueError):
        disclosure.adds_up(disclosure.count(10), [disclosure.count(3), disclosure.count(4)])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=4))
def test_no_small_count_of_a_table_can_be_worked_out(values):
    """Whatever the counts: after the rule, brute force over everything a reader could
    believe finds at least two possible values for every count shown as "< 5"."""
    parts, whole = protected(values)
    for part, seen in zip(parts, possible_values(parts, whole), strict=True):
        assert part.value in seen
        if part.state is not State.SHOWN:
            assert len(seen) > 1, (values, [p.state for p in parts], whole.state)
