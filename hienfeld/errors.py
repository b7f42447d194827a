"""Errors a user can act on. The HTTP layer maps them to 4xx answers with the message as `detail`."""


class InputError(ValueError):
    """Bad user input (file, parameter). Maps to HTTP 422 unless a subclass says otherwise."""

    status_code = 422


class UnsupportedFileError(InputError):
    """Wrong extension or content that is not the promised format (HTTP 415)."""

    status_code = 415


class TooLargeError(InputError):
    """An upload, a table or a cell beyond a configured limit (HTTP 413)."""

    status_code = 413
