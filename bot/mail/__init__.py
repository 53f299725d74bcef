"""Invitation emails (DESIGN §11): settings, the message, and sending it over SMTP."""
