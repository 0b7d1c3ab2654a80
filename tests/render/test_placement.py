"""The margin engine's placement rules, alone: pure functions of heights and positions (points,
y down the page), no WeasyPrint."""

from __future__ import annotations

from readingedition.render.margins.placement import (
    above_notes,
    fit,
    fits,
    lowest,
    overflowing,
    pull_up,
    split_at,
    stack,
    to_set_elsewhere,
)

TOP, BOTTOM, GAP = 100.0, 700.0, 4.0


def test_notes_stand_at_their_call_or_just_below_the_note_above():
    ys = stack([150, 160, 400], [50, 30, 20], TOP, [BOTTOM] * 3, GAP)
    assert ys == [150, 204, 400]


def test_a_stack_passing_the_foot_is_pushed_up_and_keeps_its_order():
    ys = stack([600, 610, 620], [50, 50, 50], TOP, [BOTTOM] * 3, GAP)
    assert ys == [542, 596, 650]
    assert fits([600, 610, 620], [50, 50, 50], TOP, [BOTTOM] * 3, GAP)


def test_a_note_may_go_lower_beside_the_footnotes_than_those_beside_the_text():
    # The second note is called in a footnote: its column reaches the page foot.
    ys = stack([300, 760], [100, 60], TOP, [650, 840], GAP)
    assert ys == [300, 760]


def test_a_full_column_does_not_fit():
    assert not fits([150, 200], [400, 300], TOP, [BOTTOM] * 2, GAP)


def test_the_tallest_movable_notes_go_to_the_foot_until_the_rest_fit():
    desired, heights = [150, 200, 250, 300], [100, 350, 120, 200]
    taken = to_set_elsewhere(desired, heights, TOP, [BOTTOM] * 4, GAP, [True] * 4)
    assert taken == [1]  # the 350-point note: the others then fit beside their lines
    taken = to_set_elsewhere(desired, heights, TOP, [BOTTOM] * 4, GAP, [True, False, True, True])
    assert taken == [3]  # the tallest that may move


def test_nothing_goes_to_the_foot_from_a_column_that_holds_its_notes():
    assert to_set_elsewhere([150, 400], [100, 100], TOP, [BOTTOM] * 2, GAP, [True] * 2) == []


def test_when_moving_every_movable_note_is_not_enough_none_moves():
    assert to_set_elsewhere([150, 200], [700, 50], TOP, [BOTTOM] * 2, GAP, [False, True]) == []


def test_overflowing_notes_are_the_last_ones_but_never_the_first():
    heights = [200, 200, 200, 200]
    assert overflowing([150, 160, 170, 180], heights, TOP, [BOTTOM] * 4, GAP) == 2
    assert overflowing([150], [900], TOP, [BOTTOM], GAP) == 0


def test_a_crowded_run_rises_to_bring_more_notes_beside_their_calls():
    desired, heights = [130, 140, 150], [20, 20, 20]
    ys = [130, 154, 178]  # stacked: the last is 28 points below its call
    pull_up(desired, ys, heights, TOP, GAP, tolerance=20)
    assert ys == [122, 146, 170]  # all three within 20 points now


def test_a_gloss_takes_the_nearest_free_place_or_none():
    occupied = [(140.0, 200.0)]
    assert fit(150, 20, occupied, TOP, BOTTOM, GAP, max_shift=60) == 116
    assert fit(150, 20, occupied, TOP, BOTTOM, GAP, max_shift=10) is None


def test_a_long_note_is_cut_after_the_lines_that_fit_and_keeps_at_least_one():
    feet = [12, 24, 36, 48, 60]
    assert split_at(feet, 40) == 3
    assert split_at(feet, 5) == 1


def test_notes_stacked_as_low_as_they_go_leave_the_most_room_above():
    assert lowest([50, 100], [BOTTOM, BOTTOM], GAP) == [546, 600]
    assert lowest([50, 100], [500, BOTTOM], GAP) == [450, 600]  # the first may not pass its foot


def test_what_continues_from_the_page_before_reaches_down_to_the_notes_packed_low():
    # two notes of 100 and 50 packed against the foot (700): the lower from 650, the upper from 546
    assert above_notes([100, 50], [BOTTOM, BOTTOM], GAP, 800) == 546 - GAP
    # a note called in a footnote may go lower, to the page foot
    assert above_notes([80], [800], GAP, 800) == 720 - GAP
    # alone in the column, down to the foot it is given
    assert above_notes([], [], GAP, 800) == 800
