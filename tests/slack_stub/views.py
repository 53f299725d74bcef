"""Modals and App Home tabs the bot opened, pushed, updated or published."""

import copy
from collections.abc import Mapping
from typing import Any

from tests.slack_stub.errors import ApiError
from tests.slack_stub.ids import APP_ID, BOT_ID, TEAM_ID, IdFactory

_VIEW_DEFAULTS: dict[str, Any] = {
    "private_metadata": "",
    "callback_id": "",
    "external_id": "",
    "clear_on_close": False,
    "notify_on_close": False,
    "close": None,
    "submit": None,
    "previous_view_id": None,
}


def _require_type(view: Mapping[str, Any], expected: str) -> None:
    if view.get("type") != expected:
        raise ApiError("invalid_arguments", f"view type must be `{expected}`")


def _check_hash(current: Mapping[str, Any], given_hash: str | None) -> None:
    if given_hash is not None and given_hash != current["hash"]:
        raise ApiError("hash_conflict")


class ViewStore:
    """Views by id, which trigger ids were exchanged, and each user's Home tab."""

    def __init__(self, ids: IdFactory, team_id: str = TEAM_ID) -> None:
        self._ids = ids
        self._team_id = team_id
        self._views: dict[str, dict[str, Any]] = {}
        self._modal_ids: list[str] = []
        self._home_ids: dict[str, str] = {}
        self._exchanged_triggers: set[str] = set()

    def open_modal(self, trigger_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """Exchange ``trigger_id`` (each works once) for a new modal (views.open / views.push)."""
        _require_type(view, "modal")
        view_id = self._ids.new_id("V")
        self._check_external_id(view, view_id)
        self._exchange(trigger_id)
        stored = self._store(view, view_id)
        self._modal_ids.append(stored["id"])
        return copy.deepcopy(stored)

    def update(
        self, view_ref: Mapping[str, str], view: Mapping[str, Any], given_hash: str | None
    ) -> dict[str, Any]:
        """Replace the view named by ``view_id`` or ``external_id`` in ``view_ref``."""
        current = self._locate(view_ref)
        _check_hash(current, given_hash)
        _require_type(view, current["type"])
        self._check_external_id(view, current["id"])
        return copy.deepcopy(self._store(view, current["id"]))

    def publish(
        self, user_id: str, view: Mapping[str, Any], given_hash: str | None
    ) -> dict[str, Any]:
        """Create or replace ``user_id``'s Home tab."""
        _require_type(view, "home")
        view_id = self._home_ids.get(user_id)
        if view_id is None:
            view_id = self._ids.new_id("V")
        else:
            _check_hash(self._views[view_id], given_hash)
        self._check_external_id(view, view_id)
        self._home_ids[user_id] = view_id
        return copy.deepcopy(self._store(view, view_id))

    def home_of(self, user_id: str) -> dict[str, Any] | None:
        """A copy of ``user_id``'s Home tab, or None if none was published."""
        view_id = self._home_ids.get(user_id)
        return None if view_id is None else copy.deepcopy(self._views[view_id])

    def modals(self) -> list[dict[str, Any]]:
        """Copies of every modal opened or pushed, oldest first, in their current state."""
        return [copy.deepcopy(self._views[view_id]) for view_id in self._modal_ids]

    def _exchange(self, trigger_id: str) -> None:
        if not trigger_id:
            raise ApiError("invalid_arguments", "invalid `trigger_id`")
        if trigger_id in self._exchanged_triggers:
            raise ApiError("exchanged_trigger_id")
        self._exchanged_triggers.add(trigger_id)

    def _locate(self, view_ref: Mapping[str, str]) -> dict[str, Any]:
        if "view_id" in view_ref:
            found = self._views.get(view_ref["view_id"])
        else:
            found = self._by_external_id(view_ref.get("external_id", ""))
        if found is None:
            raise ApiError("not_found")
        return found

    def _by_external_id(self, external_id: str) -> dict[str, Any] | None:
        if not external_id:
            return None
        matches = (view for view in self._views.values() if view["external_id"] == external_id)
        return next(matches, None)

    def _check_external_id(self, view: Mapping[str, Any], view_id: str) -> None:
        holder = self._by_external_id(view.get("external_id", ""))
        if holder is not None and holder["id"] != view_id:
            raise ApiError("duplicate_external_id")

    def _store(self, view: Mapping[str, Any], view_id: str) -> dict[str, Any]:
        stored: dict[str, Any] = {
            **_VIEW_DEFAULTS,
            **copy.deepcopy(dict(view)),
            "id": view_id,
            "team_id": self._team_id,
            "state": {"values": {}},
            "hash": self._ids.new_hash(),
            "root_view_id": view_id,
            "app_id": APP_ID,
            "app_installed_team_id": self._team_id,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = stored
        return stored
