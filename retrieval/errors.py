"""One error vocabulary for both front ends: a failure whose message a user can act on.

The CLI prints `str(error)` as one line and exits 1; the bot sends it as a private reply. Anything
that is not a `VdwError` is an internal failure: logged with its traceback, never shown verbatim.
"""

from __future__ import annotations


class VdwError(RuntimeError):
    """A failure the user can act on; its message says what happened and what to do."""


class Busy(VdwError):
    """The work cannot start now because the same kind of work is already running."""


class NotConfigured(VdwError):
    """A setting the command needs is missing."""


class ArchiveMissing(VdwError, FileNotFoundError):
    """The archive folder does not exist (still a FileNotFoundError for older callers)."""
