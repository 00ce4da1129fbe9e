"""The project's one error type. Every mistake a user can make (a bad file, a bad setting, a run folder
that belongs to another configuration) raises a :class:`StreamProError` whose message says what is wrong,
where, and how to fix it; the CLI prints that one line and exits with status 2. Anything else that escapes
is a bug: the CLI still prints one line (exit status 3) and ``--debug`` shows the traceback."""

from __future__ import annotations


class StreamProError(Exception):
    """A user-facing error: its message is the whole story (what, where, how to fix)."""


class InputError(StreamProError, ValueError):
    """A file, record or setting the user gave cannot be used."""


class RunConflict(StreamProError):
    """An output folder holds another run's results (other settings): nothing is overwritten."""
