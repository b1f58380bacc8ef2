"""Errors a user can act on. ``str(error)`` is always one readable line."""


class OpsError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits 2."""

    exit_code = 2

    def __init__(self, message: str):
        # One line, always: a traceback-sized message helps nobody at a prompt.
        super().__init__(" ".join(str(message).split()))


class ConfigError(OpsError):
    """Bad arguments, environment or secrets file."""


class ProfileError(OpsError):
    """A profile that cannot be loaded; the message names the file and key."""


class DatabaseError(OpsError):
    """The database could not be reached or refused what the tool asked."""

    def __init__(self, message: str, sqlstate: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate


class HistoryError(OpsError):
    """The history store cannot be read or written; the review itself stands."""
