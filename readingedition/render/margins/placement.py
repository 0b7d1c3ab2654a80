"""Where notes go in a page's column: pure functions of heights and positions (in points, y
down the page), with no WeasyPrint in them, so they can be tested alone."""

from __future__ import annotations

from collections.abc import Sequence


def stack(
    desired: Sequence[float], heights: Sequence[float], top: float, bottoms: Sequence[float], spacing: float
) -> list[float]:
    """Top y of each note, in order: at its desired y or just below the note above, then
    pushed up where the stack passes ``bottoms[i]`` (the lowest its foot may go)."""
    ys, floor = [], top
    for want, height in zip(desired, heights):
        ys.append(max(want, floor))
        floor = ys[-1] + height + spacing
    ceiling = float("inf")
    for i in range(len(ys) - 1, -1, -1):
        ceiling = min(ceiling, bottoms[i])
        ys[i] = min(ys[i], ceiling - heights[i])
        ceiling = ys[i] - spacing
    return ys


def lowest(heights: Sequence[float], bottoms: Sequence[float], spacing: float) -> list[float]:
    """Top y of each note stacked as low as it can go, from the foot up: what leaves the most
    room above them."""
    ys: list[float] = []
    ceiling = float("inf")
    for height, bottom in zip(reversed(heights), reversed(bottoms)):
        ys.append(min(ceiling, bottom) - height)
        ceiling = ys[-1] - spacing
    return ys[::-1]


def above_notes(heights: Sequence[float], bottoms: Sequence[float], spacing: float, empty_bottom: float) -> float:
    """The lowest a box stacked above the notes may reach: just above them packed as low as they
    go, or ``empty_bottom`` when there are none."""
    return lowest(heights, bottoms, spacing)[0] - spacing if heights else empty_bottom


def fits(
    desired: Sequence[float], heights: Sequence[float], top: float, bottoms: Sequence[float], spacing: float
) -> bool:
    """Whether the notes fit in the column, each above its bottom, none above ``top``."""
    ys = stack(desired, heights, top, bottoms, spacing)
    return not ys or ys[0] >= top - 0.01


def to_set_elsewhere(
    desired: Sequence[float],
    heights: Sequence[float],
    top: float,
    bottoms: Sequence[float],
    spacing: float,
    movable: Sequence[bool],
) -> list[int]:
    """The notes (indexes) to take out of a column that cannot hold them all: the tallest
    movable one first, until the rest fit, so that as many as possible stay beside their
    lines. If taking out every movable note is not enough, none is taken out."""
    kept = list(range(len(heights)))
    taken: list[int] = []

    def keeps(indexes: list[int]) -> bool:
        return fits(
            [desired[i] for i in indexes], [heights[i] for i in indexes], top, [bottoms[i] for i in indexes], spacing
        )

    while not keeps(kept):
        candidates = [i for i in kept if movable[i]]
        if not candidates:
            return []
        tallest = max(candidates, key=lambda i: (heights[i], i))
        kept.remove(tallest)
        taken.append(tallest)
    return sorted(taken)


def overflowing(
    desired: Sequence[float], heights: Sequence[float], top: float, bottoms: Sequence[float], spacing: float
) -> int:
    """How many notes, from the last, must go on to the next column so that the others fit
    (the first always stays: a note taller than the column is split)."""
    count = 0
    while len(heights) - count > 1:
        end = len(heights) - count
        if fits(desired[:end], heights[:end], top, bottoms[:end], spacing):
            break
        count += 1
    return count


def pull_up(
    desired: Sequence[float], ys: list[float], heights: Sequence[float], top: float, spacing: float, tolerance: float
) -> None:
    """Raise each run of notes by at most ``tolerance``, into free space above it, when that
    brings more of them within ``tolerance`` of their desired y (the smallest such rise). A run
    is notes that touch, or nearly (less than another ``spacing`` apart): a note resting just
    below the one above rises with it."""
    i = 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] - ys[j] - heights[j] - spacing < spacing:
            j += 1
        room = ys[i] - (ys[i - 1] + heights[i - 1] + spacing if i else top)
        offsets = [ys[k] - desired[k] for k in range(i, j + 1)]
        limit = min(room, tolerance)

        def near(rise: float, offsets: list[float] = offsets) -> int:
            return sum(1 for offset in offsets if abs(offset - rise) <= tolerance)

        if limit > 0.01:
            rises = sorted({0.0, limit} | {min(max(o - tolerance, 0.0), limit) for o in offsets})
            best = max(rises, key=near)
            if near(best) > near(0.0):
                for k in range(i, j + 1):
                    ys[k] -= best
        i = j + 1


def fit(
    desired: float,
    height: float,
    occupied: Sequence[tuple[float, float]],
    top: float,
    bottom: float,
    spacing: float,
    max_shift: float,
) -> float | None:
    """The free y closest to ``desired`` for a box of ``height`` between the ``occupied``
    spans (sorted), if within ``max_shift``."""
    best = None
    cursor = top
    for start, end in [*occupied, (bottom + spacing, bottom + spacing)]:
        low, high = cursor, min(start - spacing, bottom)
        if high - low >= height:
            y = min(max(desired, low), high - height)
            if best is None or abs(y - desired) < abs(best - desired):
                best = y
        cursor = max(cursor, end + spacing)
    return best if best is not None and abs(best - desired) <= max_shift else None


def split_at(line_bottoms: Sequence[float], room: float) -> int:
    """How many of a note's lines (their feet, from the note's top) fit in ``room``: where a
    note too tall for its column is cut, at least one line."""
    count = sum(1 for bottom in line_bottoms if bottom <= room + 0.01)
    return max(count, 1)
