"""The client's plumbing: one connection pool, one token, requests in and typed errors out.

Every resource module builds on :class:`Transport`; a failed call raises a :mod:`daas.errors`
type rebuilt from the API's JSON error body (:mod:`daas.client.errors`). Object calls
(models, services, datasets, jobs, runs, async requests) act in a group: the one passed to
the call, else the client's ``group``, else (no ``group`` parameter sent) the caller's
default group on the server.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx

from daas.client.errors import PlatformUnreachable, error_for_response
from daas.client.types import ProgressCallback
from daas.errors import Timeout, Unavailable

DEFAULT_URL = "http://127.0.0.1:8000"


def without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries that are set: a form's unset fields are left out of the request."""
    return {key: value for key, value in values.items() if value is not None}


class ProgressReader(io.RawIOBase):
    """A read-only view of a binary file that reports how many bytes were read."""

    def __init__(self, raw: IO[bytes], total: int, progress: ProgressCallback) -> None:
        super().__init__()
        self._raw = raw
        self._total = total
        self._progress = progress
        self._done = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        if chunk:
            self._done += len(chunk)
            self._progress(self._done, self._total)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._raw.seek(offset, whence)
        self._done = position
        return position

    def tell(self) -> int:
        return self._raw.tell()


def size_of(raw: IO[bytes]) -> int:
    """How many bytes a seekable file holds, leaving its position as it was."""
    position = raw.tell()
    size = raw.seek(0, os.SEEK_END)
    raw.seek(position)
    return size


class Transport:
    """Talks to one DaaS-Deployer platform with one API token.

    ``group`` is the group object calls act in when a call names none (default: the
    server's choice, the caller's default group). Pass ``http=`` to reuse a configured
    :class:`httpx.Client` (a Starlette ``TestClient`` bound to the FastAPI app works too).
    """

    def __init__(self, url: str = DEFAULT_URL, token: str | None = None,
                 group: str | None = None, *, http: httpx.Client | None = None,
                 timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.group = group
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(
            timeout=httpx.Timeout(timeout, connect=5.0))

    def close(self) -> None:
        """Close the connection pool, unless it was passed in by the caller."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _send(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
              stream: bool = False, expected: frozenset[int] = frozenset(),
              token: str | None = None, headers: Mapping[str, str] | None = None,
              **kwargs: Any) -> httpx.Response:
        """Send a request; a failure (other than an ``expected`` status) raises its error."""
        token = token or self.token
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        request = self._http.build_request(method, self.url + path,
                                           params=without_none(params or {}),
                                           headers=headers, **kwargs)
        try:
            response = self._http.send(request, stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise PlatformUnreachable(
                f"cannot reach the platform at {self.url}: is it running? (`daas up`)") from exc
        except httpx.TimeoutException as exc:
            raise Timeout(f"the platform at {self.url} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise Unavailable(f"connection to the platform at {self.url} failed: {exc}") from exc
        if not (response.is_success or response.status_code in expected):
            response.read()
            response.close()
            raise error_for_response(response)
        return response

    def _in_group(self, group: str | None, params: Mapping[str, Any] | None = None
                  ) -> dict[str, Any]:
        """``params`` with the ``group`` an object call acts in (left out when unset)."""
        return {**(params or {}), "group": group or self.group}

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request and decode its JSON answer."""
        return self._send(method, path, **kwargs).json()

    def _post_file(self, path: str, raw: IO[bytes], filename: str, form: Mapping[str, Any],
                   progress: ProgressCallback | None, *,
                   params: Mapping[str, Any] | None = None) -> Any:
        """Upload ``raw`` as the multipart field ``file`` beside the set ``form`` fields."""
        body: IO[bytes] = raw if progress is None else ProgressReader(raw, size_of(raw), progress)
        return self._json("POST", path, params=params, data=without_none(form),
                          files={"file": (filename, body, "application/octet-stream")})

    @staticmethod
    def _save(response: httpx.Response, target: Path) -> Path:
        """Stream a response's body into ``target`` through a ``.part`` file, then close it."""
        partial = target.with_name(target.name + ".part")
        try:
            with partial.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
            partial.replace(target)
        finally:
            response.close()
            partial.unlink(missing_ok=True)
        return target
