"""Pure functions from domain data to Block Kit JSON, and parsers of what Slack sends back."""
