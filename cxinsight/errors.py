"""User-facing errors: one clear line, a documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1  # some inputs failed; the rest were done
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as `yes | head` leaves it: the output's reader stopped reading


class CxError(Exception):
    """An error the user can act on. Printed as one line, no traceback (unless --verbose)."""

    exit_code = EXIT_PARTIAL


class InputError(CxError):
    """A bad input file: names the file and the cause."""

    def __init__(self, path: object, cause: str):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")


class ConfigError(InputError):
    """A bad configuration file the user named (taxonomy, prompts): nothing was done."""

    exit_code = EXIT_USAGE


class UsageError(CxError):
    exit_code = EXIT_USAGE


class StoreError(CxError):
    """The store cannot be used as it is (missing, read-only, newer schema, damaged): nothing was done."""

    exit_code = EXIT_USAGE


class StoreFailed(StoreError):
    """The store failed part-way through a batch: finished episodes are saved (exit 1: some inputs not done)."""

    exit_code = EXIT_PARTIAL
