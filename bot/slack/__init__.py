"""Talking to Slack's Web API: the client, delivery of owed messages, the App Home."""
