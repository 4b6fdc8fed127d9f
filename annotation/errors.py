"""User-facing errors: the CLI prints their message on one line, without a traceback."""


class VnerError(Exception):
    """Bad input or a failed external step the user can fix. The message names the file/task and the fix."""
