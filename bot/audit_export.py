"""The whole audit trail of a workspace's account, as CSV or JSON lines, for operators."""

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from storage.tables import AuditEvent

FORMATS = ("csv", "jsonl")
COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "target",
    "permissions_before",
    "permissions_after",
    "detail",
)
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _record(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor_user_id,
        "action": event.action,
        "target": event.target,
        "permissions_before": event.permissions_before,
        "permissions_after": event.permissions_after,
        "detail": event.detail,
    }


def _inert(cell: object) -> object:
    """The cell as a spreadsheet shows it as text: a leading quote before a formula start."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def write_events(events: Iterable[AuditEvent], out: TextIO, fmt: str) -> None:
    """Write ``events`` oldest first; permission sets are space-separated keys in CSV (an
    empty cell when the event has none) and lists (or null) in JSON lines. JSON lines hold
    the values as recorded; CSV cells that a spreadsheet would run as formulas start with
    a quote."""
    if fmt == "jsonl":
        for event in events:
            out.write(json.dumps(_record(event), ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for event in events:
        row = _record(event)
        for column in ("permissions_before", "permissions_after"):
            row[column] = "" if row[column] is None else " ".join(row[column])
        writer.writerow({column: _inert(cell) for column, cell in row.items()})
