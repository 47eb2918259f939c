"""Moving one row of an ordered list (a survey's questions, a meeting's agenda) up or down."""


def swapped_with_neighbour(rows, row, *, up):
    """`rows` (in order) with `row` swapped with the one above or below it and every `position`
    renumbered from 1; None when the row is already at that end. Nothing is saved."""
    rows = list(rows)
    index = next(i for i, each in enumerate(rows) if each.pk == row.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return None
    rows[index], rows[other] = rows[other], rows[index]
    for position, each in enumerate(rows, start=1):
        each.position = position
    return rows
