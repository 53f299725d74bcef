"""The stand-in Slack Web API, driven through a real slack_sdk WebClient over loopback HTTP."""

import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from tests.slack_stub import BOT_USER_ID, SlackStub

ALICE = "U0ALICE"
ALICE_EMAIL = "Alice@Acme.example.com"
MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "grant",
    "title": {"type": "plain_text", "text": "Grant access"},
    "blocks": [],
}
SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk sends even loopback traffic through a proxy named in the environment."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as running:
        running.add_user(ALICE, ALICE_EMAIL, name="alice", is_admin=True)
        running.add_channel("C0GENERAL", "general", bot_is_member=True)
        running.add_channel("C0BILLING", "billing", bot_is_member=True)
        yield running


@pytest.fixture
def client(stub: SlackStub) -> WebClient:
    return WebClient(token=stub.bot_token, base_url=stub.api_url)


def api_error(error: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(error.value.response["error"])


def test_api_url_is_loopback_under_api() -> None:
    with SlackStub() as stub:
        assert stub.api_url.startswith("http://127.0.0.1:")
        assert stub.api_url.endswith("/api/")
    with pytest.raises(RuntimeError):
        _ = stub.api_url


def test_wrong_token_is_invalid_auth(stub: SlackStub) -> None:
    intruder = WebClient(token="xoxb-wrong", base_url=stub.api_url)
    with pytest.raises(SlackApiError) as error:
        intruder.auth_test()
    assert api_error(error) == "invalid_auth"
    assert error.value.response.status_code == 200


def test_missing_token_is_not_authed(stub: SlackStub) -> None:
    with pytest.raises(SlackApiError) as error:
        WebClient(base_url=stub.api_url).auth_test()
    assert api_error(error) == "not_authed"


def test_token_may_come_as_form_field(stub: SlackStub) -> None:
    anonymous = WebClient(base_url=stub.api_url)
    response = anonymous.api_call("auth.test", params={"token": stub.bot_token})
    assert response["user_id"] == BOT_USER_ID
    assert "token" not in stub.calls[-1].args


def test_auth_test_names_the_bot(client: WebClient) -> None:
    response = client.auth_test()
    assert response["user_id"] == BOT_USER_ID
    assert set(response.data) >= {"ok", "url", "team", "user", "team_id", "user_id", "bot_id"}


def test_users_info_returns_the_user_object(client: WebClient) -> None:
    user = client.users_info(user=ALICE)["user"]
    assert user["id"] == ALICE
    assert user["name"] == "alice"
    assert user["is_admin"] is True
    assert user["is_owner"] is False
    assert user["deleted"] is False
    assert user["profile"]["email"] == ALICE_EMAIL


def test_users_info_unknown_user(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="U0NOBODY")
    assert api_error(error) == "user_not_found"


def test_lookup_by_email_ignores_case(client: WebClient) -> None:
    user = client.users_lookupByEmail(email="alice@acme.EXAMPLE.com")["user"]
    assert user["id"] == ALICE


def test_lookup_by_email_miss(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.users_lookupByEmail(email="bob@acme.example.com")
    assert api_error(error) == "users_not_found"


def test_lookup_by_email_skips_deactivated_users(stub: SlackStub, client: WebClient) -> None:
    stub.add_user(ALICE, ALICE_EMAIL, deleted=True)
    with pytest.raises(SlackApiError) as error:
        client.users_lookupByEmail(email=ALICE_EMAIL)
    assert api_error(error) == "users_not_found"
    assert client.users_info(user=ALICE)["user"]["deleted"] is True


def test_conversations_open_is_stable_per_user(stub: SlackStub, client: WebClient) -> None:
    first = client.conversations_open(users=ALICE)["channel"]["id"]
    second = client.conversations_open(users=[ALICE])["channel"]["id"]
    assert first == second == stub.dm_channel(ALICE)
    assert first.startswith("D")


def test_conversations_open_with_several_users_is_a_group_dm(
    stub: SlackStub, client: WebClient
) -> None:
    stub.add_user("U0BOB", "bob@acme.example.com")
    group = client.conversations_open(users=[ALICE, "U0BOB"])["channel"]["id"]
    assert group.startswith("G")
    assert group == client.conversations_open(users=["U0BOB", ALICE])["channel"]["id"]
    with pytest.raises(SlackApiError) as error:
        client.conversations_open(users=[ALICE, "U0NOBODY"])
    assert api_error(error) == "user_not_found"


def test_post_message_then_update(stub: SlackStub, client: WebClient) -> None:
    channel = client.conversations_open(users=ALICE)["channel"]["id"]
    posted = client.chat_postMessage(channel=channel, text="Pending", blocks=SECTION)
    assert posted["message"]["blocks"] == SECTION
    assert stub.calls_to("chat.postMessage")[0].args["blocks"] == SECTION

    updated = client.chat_update(channel=channel, ts=posted["ts"], text="Approved")

    assert updated["ts"] == posted["ts"]
    [message] = stub.messages(channel)
    assert message["text"] == "Approved"
    assert message["blocks"] == SECTION  # Slack keeps blocks the update leaves out


def test_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0GENERAL", text="hi")["ts"] for _ in range(3)]
    assert stamps == sorted(set(stamps), key=float)


def test_post_to_user_id_lands_in_their_dm(stub: SlackStub, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=ALICE, text="Hello")
    assert posted["channel"] == stub.dm_channel(ALICE)


def test_post_to_unknown_user_or_name_is_channel_not_found(client: WebClient) -> None:
    for channel in ("U0NOBODY", "#general"):
        with pytest.raises(SlackApiError) as error:
            client.chat_postMessage(channel=channel, text="Hello")
        assert api_error(error) == "channel_not_found"


def test_post_without_content_is_no_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.api_call("chat.postMessage", json={"channel": "C0GENERAL"})
    assert api_error(error) == "no_text"


def test_form_encoded_blocks_are_decoded(stub: SlackStub, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        params={"channel": "C0GENERAL", "text": "x", "blocks": '[{"type": "divider"}]'},
    )
    assert stub.calls[-1].args["blocks"] == [{"type": "divider"}]


def test_malformed_json_body_is_invalid_json(stub: SlackStub) -> None:
    request = urllib.request.Request(
        f"{stub.api_url}chat.postMessage",
        data=b"{not json",
        headers={"Authorization": f"Bearer {stub.bot_token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response) == {"ok": False, "error": "invalid_json"}


def test_update_unknown_message_and_user_channel(stub: SlackStub, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=ALICE, text="Hello")
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel=posted["channel"], ts="1.000000", text="x")
    with pytest.raises(SlackApiError) as by_user:
        client.chat_update(channel=ALICE, ts=posted["ts"], text="x")
    assert api_error(missing) == "message_not_found"
    assert api_error(by_user) == "channel_not_found"


def test_delete_removes_the_message(stub: SlackStub, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0GENERAL", text="Oops")
    client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    assert stub.messages() == []
    with pytest.raises(SlackApiError) as error:
        client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    assert api_error(error) == "message_not_found"


def test_post_ephemeral(stub: SlackStub, client: WebClient) -> None:
    response = client.chat_postEphemeral(channel="C0BILLING", user=ALICE, text="Only you")
    [ephemeral] = stub.ephemeral_messages("C0BILLING")
    assert ephemeral["ts"] == response["message_ts"]
    assert ephemeral["user"] == ALICE
    assert stub.messages() == []


def test_views_open_rejects_a_reused_trigger(stub: SlackStub, client: WebClient) -> None:
    view = client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    assert view["id"].startswith("V")
    assert view["callback_id"] == "grant"
    with pytest.raises(SlackApiError) as error:
        client.views_open(trigger_id="1.2.abc", view=MODAL)
    assert api_error(error) == "exchanged_trigger_id"
    assert [opened["id"] for opened in stub.opened_views()] == [view["id"]]


def test_views_open_without_trigger(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.views_open(view=MODAL)
    assert api_error(error) == "invalid_arguments"


def test_views_push_and_update(stub: SlackStub, client: WebClient) -> None:
    pushed = client.views_push(trigger_id="2.3.def", view=MODAL)["view"]
    changed = {**MODAL, "title": {"type": "plain_text", "text": "Done"}}
    updated = client.views_update(view_id=pushed["id"], view=changed, hash=pushed["hash"])["view"]
    assert updated["id"] == pushed["id"]
    assert stub.opened_views()[0]["title"]["text"] == "Done"
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=pushed["id"], view=MODAL, hash=pushed["hash"])
    with pytest.raises(SlackApiError) as unknown:
        client.views_update(view_id="V0NOPE", view=MODAL)
    assert api_error(stale) == "hash_conflict"
    assert api_error(unknown) == "not_found"


def test_views_update_by_external_id(stub: SlackStub, client: WebClient) -> None:
    tracked = {**MODAL, "external_id": "grant-42"}
    opened = client.views_open(trigger_id="4.5.jkl", view=tracked)["view"]
    client.views_update(external_id="grant-42", view={**tracked, "private_metadata": "done"})
    assert stub.opened_views()[0]["private_metadata"] == "done"
    assert stub.opened_views()[0]["id"] == opened["id"]
    with pytest.raises(SlackApiError) as error:
        client.views_open(trigger_id="5.6.mno", view=tracked)
    assert api_error(error) == "duplicate_external_id"


def test_views_publish_records_the_home_tab(stub: SlackStub, client: WebClient) -> None:
    assert stub.home_view(ALICE) is None
    home = {"type": "home", "blocks": SECTION}
    first = client.views_publish(user_id=ALICE, view=home)["view"]
    second = client.views_publish(user_id=ALICE, view={"type": "home", "blocks": []})["view"]
    assert first["id"] == second["id"]
    assert stub.home_view(ALICE) == second


def test_team_info(client: WebClient) -> None:
    team = client.team_info()["team"]
    assert team["id"] == "T0001"


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.api_call("billing.explode")
    assert api_error(error) == "unknown_method"


def test_rate_limit_is_retried_and_recorded_once(stub: SlackStub) -> None:
    client = WebClient(
        token=stub.bot_token,
        base_url=stub.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    stub.fail_next("chat.postMessage", times=2, status=429, retry_after=0)

    client.chat_postMessage(channel="C0GENERAL", text="Granted")

    assert len(stub.calls_to("chat.postMessage")) == 1
    assert len(stub.messages()) == 1
    assert [failed.status for failed in stub.failed_calls] == [429, 429]
    assert stub.failed_calls[0].response == {"ok": False, "error": "ratelimited"}


def test_rate_limit_reports_retry_after_when_not_retried(stub: SlackStub) -> None:
    client = WebClient(token=stub.bot_token, base_url=stub.api_url)
    stub.fail_next("users.info", retry_after=7)
    with pytest.raises(SlackApiError) as error:
        client.users_info(user=ALICE)
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "7"
    assert stub.calls == []


def test_server_error_is_raised_without_a_retry_handler(stub: SlackStub, client: WebClient) -> None:
    stub.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C0GENERAL", text="Granted")
    assert error.value.response.status_code == 500
    assert stub.calls == []
    assert stub.messages() == []
    client.chat_postMessage(channel="C0GENERAL", text="Granted")
    assert len(stub.messages()) == 1


def test_server_error_is_retried_by_server_error_handler(stub: SlackStub) -> None:
    client = WebClient(
        token=stub.bot_token,
        base_url=stub.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    stub.fail_next("chat.postMessage", status=503)
    client.chat_postMessage(channel="C0GENERAL", text="Granted")
    assert len(stub.calls_to("chat.postMessage")) == 1
    assert [failed.response["error"] for failed in stub.failed_calls] == ["service_unavailable"]


def test_fail_next_rejects_non_error_statuses(stub: SlackStub) -> None:
    with pytest.raises(ValueError, match="429 or 5xx"):
        stub.fail_next("chat.postMessage", status=404)


def test_error_next_answers_a_slack_error_once(stub: SlackStub, client: WebClient) -> None:
    stub.error_next("views.open", "expired_trigger_id")
    with pytest.raises(SlackApiError) as error:
        client.views_open(trigger_id="3.4.ghi", view=MODAL)
    assert api_error(error) == "expired_trigger_id"
    client.views_open(trigger_id="3.4.ghi", view=MODAL)  # the faulted call took no effect
    assert len(stub.failed_calls) == 1


def test_slow_failure_looks_like_a_timeout(stub: SlackStub) -> None:
    impatient = WebClient(token=stub.bot_token, base_url=stub.api_url, timeout=1)
    stub.fail_next("chat.postMessage", status=500, delay_seconds=2.0)
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C0GENERAL", text="Granted")
    assert stub.messages() == []
    assert len(stub.failed_calls) == 1


def test_slow_success_takes_effect_although_the_client_gave_up(stub: SlackStub) -> None:
    impatient = WebClient(token=stub.bot_token, base_url=stub.api_url, timeout=1)
    stub.delay_next("chat.postMessage", 2.0)
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C0GENERAL", text="Granted")
    assert len(stub.messages()) == 1
    assert len(stub.calls_to("chat.postMessage")) == 1


def test_wait_for_sees_calls_from_other_threads(stub: SlackStub, client: WebClient) -> None:
    senders = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": ALICE, "text": str(n)})
        for n in range(5)
    ]
    for sender in senders:
        sender.start()
    calls = stub.wait_for_calls("chat.postMessage", count=5)
    for sender in senders:
        sender.join()
    assert len(calls) == 5
    assert len({message["ts"] for message in stub.messages()}) == 5


def test_wait_for_times_out(stub: SlackStub) -> None:
    with pytest.raises(TimeoutError, match="not met"):
        stub.wait_for(lambda calls: bool(calls), timeout=0.05)


def test_reset_calls_keeps_workspace_state(stub: SlackStub, client: WebClient) -> None:
    client.chat_postMessage(channel="C0GENERAL", text="Kept")
    stub.reset_calls()
    assert stub.calls == []
    assert len(stub.messages()) == 1


def test_a_bot_posts_only_to_channels_it_is_in(stub: SlackStub, client: WebClient) -> None:
    stub.add_channel("C0PUBLIC", "finance")
    stub.add_channel("G0SECRET", "secret-finance", private=True)
    for channel, refusal in (
        ("C0PUBLIC", "not_in_channel"),
        ("G0SECRET", "channel_not_found"),
        ("C0NOWHERE", "channel_not_found"),
    ):
        with pytest.raises(SlackApiError) as error:
            client.chat_postMessage(channel=channel, text="Reminder")
        assert api_error(error) == refusal
    assert stub.messages() == []


def test_the_bot_joins_public_channels_only(stub: SlackStub, client: WebClient) -> None:
    stub.add_channel("C0PUBLIC", "finance")
    stub.add_channel("G0SECRET", "secret-finance", private=True)
    joined = client.conversations_join(channel="C0PUBLIC")
    assert joined["channel"]["is_member"] is True and "warning" not in joined.data
    assert client.conversations_join(channel="C0PUBLIC")["warning"] == "already_in_channel"
    client.chat_postMessage(channel="C0PUBLIC", text="Reminder")
    with pytest.raises(SlackApiError) as hidden:
        client.conversations_join(channel="G0SECRET")
    assert api_error(hidden) == "channel_not_found"
    stub.invite_bot("G0SECRET")
    with pytest.raises(SlackApiError) as private:
        client.conversations_join(channel="G0SECRET")
    assert api_error(private) == "method_not_supported_for_channel_type"
    client.chat_postMessage(channel="G0SECRET", text="Reminder")
    assert [message["channel"] for message in stub.messages()] == ["C0PUBLIC", "G0SECRET"]


def test_conversations_info_tells_membership(stub: SlackStub, client: WebClient) -> None:
    stub.add_channel("C0PUBLIC", "finance")
    stub.add_channel("G0SECRET", "secret-finance", private=True)
    info = client.conversations_info(channel="C0PUBLIC")["channel"]
    assert (info["name"], info["is_member"], info["is_private"]) == ("finance", False, False)
    with pytest.raises(SlackApiError) as error:
        client.conversations_info(channel="G0SECRET")
    assert api_error(error) == "channel_not_found"
    stub.invite_bot("G0SECRET")
    assert client.conversations_info(channel="G0SECRET")["channel"]["is_member"] is True


def test_removed_or_archived_channels_refuse_posts(stub: SlackStub, client: WebClient) -> None:
    client.chat_postMessage(channel="C0BILLING", text="Reminder")
    stub.remove_bot("C0BILLING")
    with pytest.raises(SlackApiError) as removed:
        client.chat_postMessage(channel="C0BILLING", text="Reminder")
    assert api_error(removed) == "not_in_channel"
    stub.archive_channel("C0GENERAL")
    with pytest.raises(SlackApiError) as archived:
        client.chat_postMessage(channel="C0GENERAL", text="Reminder")
    assert api_error(archived) == "is_archived"
    with pytest.raises(SlackApiError) as joining:
        client.conversations_join(channel="C0GENERAL")
    assert api_error(joining) == "is_archived"


REDIRECT = "https://billing.example.com/slack/oauth_redirect"


@pytest.fixture
def app_stub(stub: SlackStub) -> SlackStub:
    stub.configure_oauth("1111.2222", "app-secret")
    stub.add_workspace("T0ACME", "Acme")
    stub.add_user("U0ANA", "ana@acme.example.com", workspace="T0ACME")
    return stub


def _exchange(stub: SlackStub, code: str, **changes: str) -> dict[str, Any]:
    given = {"client_id": "1111.2222", "client_secret": "app-secret", "redirect_uri": REDIRECT}
    given.update(changes)
    response = WebClient(base_url=stub.api_url).oauth_v2_access(code=code, **given)
    return dict(response.data)  # type: ignore[arg-type]


def _code(stub: SlackStub) -> str:
    return stub.approve_install(
        "T0ACME", redirect_uri=REDIRECT, scopes="chat:write,commands", installer="U0ANA"
    )


def test_a_code_is_exchanged_once_for_a_token_that_works_in_its_workspace_only(
    app_stub: SlackStub,
) -> None:
    code = _code(app_stub)
    granted = _exchange(app_stub, code)
    assert granted["team"] == {"id": "T0ACME", "name": "Acme"}
    assert granted["scope"] == "chat:write,commands" and granted["token_type"] == "bot"
    acme = WebClient(token=granted["access_token"], base_url=app_stub.api_url)
    assert acme.auth_test()["team_id"] == "T0ACME"
    assert acme.users_lookupByEmail(email="ana@acme.example.com")["user"]["id"] == "U0ANA"
    with pytest.raises(SlackApiError, match="users_not_found"):
        acme.users_lookupByEmail(email=ALICE_EMAIL)  # the stand-in's first workspace's
    with pytest.raises(SlackApiError, match="invalid_code"):
        _exchange(app_stub, code)
    app_stub.uninstall("T0ACME")
    with pytest.raises(SlackApiError, match="token_revoked"):
        acme.auth_test()
    assert app_stub.calls[-1].team == "T0ACME" and app_stub.calls[-1].token == acme.token


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"client_id": "9999.9999"}, "invalid_client_id"),
        ({"client_secret": "wrong"}, "bad_client_secret"),
        ({"redirect_uri": "https://elsewhere.example.com/cb"}, "bad_redirect_uri"),
        ({"code": "never-issued"}, "invalid_code"),
    ],
)
def test_oauth_v2_access_refuses_what_slack_refuses(
    app_stub: SlackStub, changes: dict[str, str], error: str
) -> None:
    code = changes.pop("code", None) or _code(app_stub)
    with pytest.raises(SlackApiError, match=error):
        _exchange(app_stub, code, **changes)
