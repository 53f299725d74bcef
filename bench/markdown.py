"""Markdown tables, as every section of the results is written."""

Row = list[str]


def table(header: Row, rows: list[Row]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
