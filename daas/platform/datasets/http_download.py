"""Download an http(s) import, reaching only addresses ``url_guard`` allows.

Redirects are followed here, not by httpx, so every hop is resolved once and checked. Each
request goes to the checked IP while the Host header and TLS (SNI and the certificate check)
carry the name, so the connection cannot land on a second, different DNS answer. Proxies
from the environment are not used: they would resolve the name themselves.

Refusals say which rule refused and the status code of an answer; never its body or headers.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from daas.errors import InvalidInput, PayloadTooLarge
from daas.platform.datasets.url_guard import AllowList, checked_address

MAX_REDIRECTS = 5
_REDIRECT_CODES = {301, 302, 303, 307, 308}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK = 1024 * 1024
_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def download(url: str, target: Path, *, max_bytes: int, allow: AllowList, label: str) -> str | None:
    """Stream ``url`` into ``target``; returns the final answer's Content-Type.

    ``label`` is the URL as errors may show it (without secrets).
    """
    try:
        current = httpx.URL(url)
        with httpx.Client(trust_env=False, follow_redirects=False, timeout=_TIMEOUT) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                request = _pinned_request(client, current, allow)
                response = client.send(request, stream=True)
                try:
                    if response.status_code not in _REDIRECT_CODES:
                        return _save(response, target, max_bytes, label)
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
                                headers={"Host": url.netloc.decode("ascii")},
                                extensions=extensions)


def _redirect_target(current: httpx.URL, response: httpx.Response, label: str) -> httpx.URL:
    location = response.headers.get("location")
    if not location:
        raise _refuse(label, f"the server answered HTTP {response.status_code} without a Location")
    return current.join(location)


def _save(response: httpx.Response, target: Path, max_bytes: int, label: str) -> str | None:
    if response.status_code >= 400:
        raise _refuse(label, f"the server answered HTTP {response.status_code}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit():
        _check_size(int(declared), max_bytes)
    written = 0
    with target.open("wb") as out:
        for chunk in response.iter_bytes(_CHUNK):
            written += len(chunk)
            _check_size(written, max_bytes)
            out.write(chunk)
    return response.headers.get("content-type")


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PayloadTooLarge(f"the data is over {max_bytes} bytes, the limit",
                              details={"limit": max_bytes})


def _refuse(label: str, reason: str) -> InvalidInput:
    return InvalidInput(f"cannot import {label}: {reason}", field="url")
