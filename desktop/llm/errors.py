"""What can go wrong talking to a model server, as sentences a merchant understands (and what to do next).

Every error carries what it cost on the wire (`bytes_out`, `bytes_in`, for the egress ledger) and, when the model
had started answering, the text received so far (`partial_text`), so a stalled or broken answer loses nothing.
No message ever contains the API key: server texts are scrubbed of it, and 401 answers are not quoted at all.
Cancellation is `desktop.core.errors.Cancelled`, never one of these.
"""

from __future__ import annotations

from desktop.core.errors import UserFacingError


class LLMError(UserFacingError):
    """Base class: talking to the model server failed."""

    def __init__(self, message: str, hint: str = "", *, partial_text: str = "", status: int | None = None,
                 server_message: str = "") -> None:
        super().__init__(message, hint)
        self.partial_text = partial_text      # the answer streamed before the failure ("" if none)
        self.status = status                  # the HTTP status, when the server answered with one
        self.server_message = server_message  # the server's own words (scrubbed, shortened), or ""
        self.bytes_out = 0                    # request bytes sent, all attempts (set by the client)
        self.bytes_in = 0                     # response bytes received, all attempts (set by the client)


class LLMUnreachable(LLMError):
    """Nothing answers at the address (refused, unknown host, TLS failure, connection cut)."""


class LLMUnauthorized(LLMError):
    """HTTP 401/403: the API key is missing, wrong, or lacks the right."""


class LLMModelMissing(LLMError):
    """HTTP 404, or the model is not in the server's list."""


class LLMRateLimited(LLMError):
    """HTTP 429, still after the retries."""


class LLMServerError(LLMError):
    """HTTP 5xx, still after the retries."""


class LLMTimeout(LLMError):
    """The server went silent longer than the endpoint's timeout (before or during the answer)."""


class LLMBadResponse(LLMError):
    """The answer is not what the protocol promises: a broken chunk, no JSON, an error in the middle of a stream."""


class LLMNoToolSupport(LLMError):
    """The model (or the server) cannot call tools."""


class LLMRequestRejected(LLMError):
    """Another 4xx: the server refused the request itself (context too long, unsupported option…)."""
