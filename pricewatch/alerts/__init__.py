"""Alert delivery: channels (webhook, email) switched on by environment variables, one message per run."""


class NotConfigured(Exception):
    """A channel whose settings are absent: it is skipped, not an error."""
