"""Benchmarks of Billing Access for Slack: ``python -m bench`` (see bench/README.md)."""
