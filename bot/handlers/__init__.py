"""Thin Bolt listeners, grouped by surface: commands, actions, views, events."""
