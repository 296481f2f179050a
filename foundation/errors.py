class PricewatchError(Exception):
    """An error with a message meant for the user; the CLI prints it and exits non-zero."""
