"""The bot scopes the app asks for when it is installed: exactly those of the Web API methods
it calls and the events it listens to (``tests/slack/test_manifest.py`` checks this list, the
manifest and the code against each other)."""

BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:join",
    "channels:read",
    "groups:read",
    "im:write",
    "users:read",
    "users:read.email",
)
