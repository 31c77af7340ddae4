"""Every error rendered as one JSON response, for the platform and the replicas alike."""

from __future__ import annotations

import json
import math

import pytest

from daas.deployments.http_responses import error_response
from daas.errors import (
    EXIT_CODES,
    BadRequest,
    DaasError,
    MethodNotAllowed,
    NotImplementedHere,
    Overloaded,
    Unauthenticated,
    Unavailable,
    error_from_body,
    exit_code_for,
)


def body_of(response) -> dict:
    return json.loads(response.body)


def test_an_error_is_its_json_body_and_status():
    response = error_response(BadRequest("no good", details={"why": "because"}))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert body_of(response) == {"error": {"code": "bad_request", "message": "no good",
                                           "details": {"why": "because"}}}
    assert "retry-after" not in response.headers and "www-authenticate" not in response.headers


@pytest.mark.parametrize(("error", "header", "value"), [
    (Unauthenticated("who are you"), "www-authenticate", "Bearer"),
    (Overloaded("busy", retry_after=7), "retry-after", "7"),
    (MethodNotAllowed("no", details={"allowed": ["GET", "HEAD"]}), "allow", "GET, HEAD"),
])
def test_errors_carry_the_headers_their_status_calls_for(error, header, value):
    assert error_response(error).headers[header] == value


def test_an_overloaded_error_rebuilt_from_its_body_still_says_when_to_retry():
    rebuilt = error_from_body(503, Overloaded("busy").to_body())
    assert isinstance(rebuilt, Overloaded)
    assert error_response(rebuilt).headers["retry-after"] == "1"


def test_a_plain_unavailable_error_has_no_retry_after():
    assert "retry-after" not in error_response(Unavailable("down")).headers


def test_details_with_nan_are_still_json():
    assert body_of(error_response(BadRequest("x", details={"value": math.nan}))) == {
        "error": {"code": "bad_request", "message": "x", "details": {"value": None}}}


@pytest.mark.parametrize("cls", sorted(EXIT_CODES, key=lambda cls: cls.__name__))
def test_every_error_class_survives_the_round_trip_through_its_response(cls):
    response = error_response(cls("it went wrong"))
    rebuilt = error_from_body(response.status_code, body_of(response))
    assert type(rebuilt) is cls and rebuilt.message == "it went wrong"
    assert response.status_code == cls.status_code
    assert exit_code_for(rebuilt) == EXIT_CODES[cls]


def test_every_error_class_has_an_exit_code_and_a_unique_code():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    classes = [cls for cls in subclasses(DaasError) if cls.__module__ == "daas.errors"]
    assert set(classes) == set(EXIT_CODES)
    assert len({cls.code for cls in classes}) == len(classes)


def test_method_not_allowed_and_not_implemented_statuses():
    assert (MethodNotAllowed.status_code, MethodNotAllowed.code) == (405, "method_not_allowed")
    assert (NotImplementedHere.status_code, NotImplementedHere.code) == (501, "not_implemented")
