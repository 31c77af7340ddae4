"""Download an http(s) import, reaching only addresses ``url_guard`` allows.

Redirects are followed here, not by httpx, so every hop is resolved once and checked. Each
request goes to the checked IP while the Host header and TLS (SNI and the certificate check)
carry the name, so the connection cannot land on a second, different DNS answer. Proxies
from the environment are not used: they would resolve the name themselves.

The body is decoded here too (gzip or deflate, one coding at most), a bounded step at a time,
so the size limit counts decoded bytes: a small compressed body cannot grow past it in one
step. The whole download has a deadline, however slowly the server trickles bytes.

Refusals say which rule refused and the status code of an answer; never its body or headers.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx

from daas.errors import InvalidInput, PayloadTooLarge
from daas.platform.datasets.url_guard import AllowList, checked_address

MAX_REDIRECTS = 5
_REDIRECT_CODES = {301, 302, 303, 307, 308}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK = 1024 * 1024
_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: zlib window bits of each content coding taken (gzip header, or zlib's).
_CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def download(url: str, target: Path, *, max_bytes: int, allow: AllowList, label: str,
             deadline_s: float) -> str | None:
    """Stream ``url`` into ``target`` within ``deadline_s``; returns the final answer's
    Content-Type.

    ``label`` is the URL as errors may show it (without secrets).
    """
    deadline = time.monotonic() + deadline_s
    try:
        current = httpx.URL(url)
        with httpx.Client(trust_env=False, follow_redirects=False, timeout=_TIMEOUT) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                request = _pinned_request(client, current, allow)
                response = client.send(request, stream=True)
                try:
                    if response.status_code not in _REDIRECT_CODES:
                        return _save(response, target, max_bytes, label, (deadline, deadline_s))
                    current = _redirect_target(current, response, label)
                finally:
                    response.close()
    except httpx.InvalidURL:
        raise _refuse(label, "the URL (or a redirect's target) is not a valid URL") from None
    except httpx.TimeoutException:
        raise _refuse(label, "the server did not answer in time") from None
    except httpx.HTTPError as exc:
        raise _refuse(label, f"download failed ({type(exc).__name__})") from None
    raise _refuse(label, f"more than {MAX_REDIRECTS} redirects")


def _pinned_request(client: httpx.Client, url: httpx.URL, allow: AllowList) -> httpx.Request:
    if url.scheme not in _DEFAULT_PORTS:
        raise InvalidInput("imports over HTTP may only lead to http:// or https:// URLs", field="url")
    host = url.raw_host.decode("ascii")
    ip = checked_address(host, url.port or _DEFAULT_PORTS[url.scheme], allow)
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    return client.build_request("GET", url.copy_with(host=str(ip)),
                                headers={"Host": url.netloc.decode("ascii"),
                                         "Accept-Encoding": ", ".join(_CODINGS)},
                                extensions=extensions)


def _redirect_target(current: httpx.URL, response: httpx.Response, label: str) -> httpx.URL:
    location = response.headers.get("location")
    if not location:
        raise _refuse(label, f"the server answered HTTP {response.status_code} without a Location")
    return current.join(location)


def _save(response: httpx.Response, target: Path, max_bytes: int, label: str,
          deadline: tuple[float, float]) -> str | None:
    if response.status_code >= 400:
        raise _refuse(label, f"the server answered HTTP {response.status_code}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit():
        _check_size(int(declared), max_bytes)
    written = 0
    with target.open("wb") as out:
        for chunk in _decoded(response, label):
            written += len(chunk)
            _check_size(written, max_bytes)
            if time.monotonic() > deadline[0]:
                raise _refuse(label, f"the download took longer than {deadline[1]:g} s")
            out.write(chunk)
    return response.headers.get("content-type")


def _decoded(response: httpx.Response, label: str) -> Iterator[bytes]:
    """The body, decoded at most ``_CHUNK`` bytes at a time."""
    codings = [coding.strip().lower() for coding in
               response.headers.get_list("content-encoding", split_commas=True)]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    if len(codings) > 1:
        raise _refuse(label, f"stacked content encodings ({', '.join(codings)}) are not accepted")
    if not codings:
        yield from response.iter_raw()  # as it arrives: a trickle still meets the deadline
        return
    if codings[0] not in _CODINGS:
        raise _refuse(label, f"the content encoding {codings[0]!r} is not supported")
    decoder = zlib.decompressobj(_CODINGS[codings[0]])
    try:
        for data in response.iter_raw():
            while data:
                yield decoder.decompress(data, _CHUNK)
                data = decoder.unconsumed_tail
        yield decoder.flush()
    except zlib.error:
        raise _refuse(label, f"the {codings[0]} body cannot be decoded") from None


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PayloadTooLarge(f"the data is over {max_bytes} bytes, the limit",
                              details={"limit": max_bytes})


def _refuse(label: str, reason: str) -> InvalidInput:
    return InvalidInput(f"cannot import {label}: {reason}", field="url")
