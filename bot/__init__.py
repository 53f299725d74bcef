"""Billing Access for Slack: who may do what on a customer billing account."""
