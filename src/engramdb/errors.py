"""The one exception tree of engramdb.

Every error the library raises on purpose derives from :class:`EngramError`::

    EngramError
    ├── InvalidInput (ValueError)      bad arguments or data; nothing was changed
    │   └── FilterError                a metadata filter that cannot be compiled
    ├── ConfigError (ValueError)       wrong configuration or wiring
    │   └── EmbedderMismatch           store embedded with another model
    ├── NotFound (LookupError)         an id that does not exist (in this scope)
    ├── Conflict                       an id that already exists, a concurrent change
    ├── StorageError                   the store failed
    │   ├── BackendUnavailable         cannot open / reach the store
    │   ├── StoreLocked                another process holds the write lock
    │   ├── MigrationError             schema newer than this code, or tampered
    │   └── IntegrityViolation         a constraint the store enforces
    ├── EmbeddingError                 the embedder failed or returned bad vectors
    ├── LLMError                       the optional language model failed
    │   ├── LLMUnavailable             unreachable, timed out, rate-limited or 5xx (retryable)
    │   └── LLMOutputError             an answer that is not valid JSON for its schema
    ├── CapabilityMissing              a feature needs an optional extra
    ├── Unauthenticated                no API key, or an unknown / revoked one
    ├── PermissionDenied               a valid key that may not do this
    └── RemoteError                    a server answered with an error this tree cannot name

Errors carry structured context as attributes (``memory_id``, ``path``, ...),
not only in their message.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailable",
    "CapabilityMissing",
    "ConfigError",
    "Conflict",
    "EmbedderMismatch",
    "EmbeddingError",
    "EngramError",
    "FilterError",
    "IntegrityViolation",
    "InvalidInput",
    "LLMError",
    "LLMOutputError",
    "LLMUnavailable",
    "MigrationError",
    "NotFound",
    "PermissionDenied",
    "RemoteError",
    "StorageError",
    "StoreLocked",
    "Unauthenticated",
]


class EngramError(Exception):
    """Base class of every error engramdb raises on purpose."""


class InvalidInput(EngramError, ValueError):
    """An argument or a piece of data was rejected; the store was not changed.

    Attributes:
        field: the argument or data field at fault, when known.
        index: position of the bad item in a batch, when the input was a batch.
    """

    def __init__(self, message: str, *, field: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index


class FilterError(InvalidInput):
    """A metadata filter uses an unknown operator or a malformed value."""


class ConfigError(EngramError, ValueError):
    """The engine was configured or wired incorrectly."""


class EmbedderMismatch(ConfigError):
    """The store's vectors were made by another embedder than the one given.

    Attributes:
        stored: identity of the embedder recorded in the store.
        given: identity of the embedder passed to ``open``.
    """

    def __init__(self, stored: str, given: str) -> None:
        super().__init__(
            f"this store was embedded with {stored!r} but was opened with {given!r}; "
            "open it with the same embedder, or re-embed everything with "
            "`engramdb reindex` / Memory.open(..., reindex=True)"
        )
        self.stored = stored
        self.given = given


class NotFound(EngramError, LookupError):
    """No memory (or entity) with that id exists, or it is outside the caller's scope.

    Attributes:
        memory_id: the id (or entity name) that was asked for.
        what: ``"memory"`` or ``"entity"``.
    """

    def __init__(self, memory_id: str, what: str = "memory") -> None:
        key = "id" if what == "memory" else "name or id"
        super().__init__(f"no {what} with {key} {memory_id!r}")
        self.memory_id = memory_id
        self.what = what

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class Conflict(EngramError):
    """The change conflicts with the current state (e.g. the id already exists)."""


class StorageError(EngramError):
    """The storage backend failed."""


class BackendUnavailable(StorageError):
    """The store cannot be opened or reached.

    Attributes:
        location: the path or DSN that was opened.
        retry_safe: the failed unit of work certainly did not commit (the connection was
            lost before its commit), so running it again cannot store anything twice.
    """

    def __init__(
        self, message: str, *, location: str | None = None, retry_safe: bool = False
    ) -> None:
        super().__init__(message)
        self.location = location
        self.retry_safe = retry_safe


class StoreLocked(StorageError):
    """Another process already has this store open for writing.

    Attributes:
        path: the store file.
        holder_pid: the process id recorded by the lock holder, if readable.
    """

    def __init__(self, path: str, holder_pid: int | None) -> None:
        who = f"process {holder_pid}" if holder_pid else "another process"
        super().__init__(
            f"{path} is already open for writing by {who}; close it there, or open "
            "this one with read_only=True"
        )
        self.path = path
        self.holder_pid = holder_pid


class MigrationError(StorageError):
    """The schema is newer than this version of engramdb, or an applied migration changed."""


class IntegrityViolation(StorageError):
    """A constraint enforced by the store was violated."""


class EmbeddingError(EngramError):
    """The embedder failed or returned vectors of the wrong shape."""


class LLMError(EngramError):
    """The language model failed in a way that retrying will not fix (e.g. 401, 400).

    Attributes:
        status: the HTTP status, when the model server answered.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LLMUnavailable(LLMError):
    """The model could not answer now: unreachable, timed out, rate-limited or a 5xx.

    Attributes:
        retry_after_s: how long the server asked to wait (``Retry-After``), if it said.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after_s = retry_after_s


class LLMOutputError(LLMError):
    """The model answered, but not with valid JSON for the expected schema.

    Attributes:
        raw: what the model returned (cut to 2,000 characters).
        stage: the prompt (operation) that asked for it.
    """

    def __init__(self, message: str, *, raw: str, stage: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.raw = raw[:2000]
        self.stage = stage


class CapabilityMissing(EngramError):
    """A feature needs an optional dependency that is not installed.

    Attributes:
        extra: the pip extra that provides it, e.g. ``"local"``.
    """

    def __init__(self, message: str, *, extra: str | None = None) -> None:
        super().__init__(message)
        self.extra = extra


class Unauthenticated(EngramError):
    """The request carried no API key, or one that is unknown or revoked."""


class PermissionDenied(EngramError):
    """The API key is valid but may not do this (e.g. admin operations)."""


class RemoteError(EngramError):
    """A server answered with an error that has no more specific class here.

    Attributes:
        status: the HTTP status code.
    """

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
