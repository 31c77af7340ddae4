"""What most commands do: ask the platform one thing, then print the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from daas.cli.output import print_json, stdout
from daas.cli.state import state_of
from daas.client import DaasClient

T = TypeVar("T")


def ask(ctx: typer.Context, question: Callable[[DaasClient], T]) -> T:
    """``question(client)``, asked with a client for this command's platform."""
    with state_of(ctx).client() as client:
        return question(client)


def show_answer(ctx: typer.Context, json_output: bool, question: Callable[[DaasClient], T],
                render: Callable[[T], None], *, empty: str | None = None) -> None:
    """Ask ``question(client)``; print the answer as JSON for scripts, else with ``render``.

    An empty answer is told as the ``empty`` message instead, when one is given.
    """
    found = ask(ctx, question)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
    elif empty is not None and not found:
        stdout().print(empty, markup=False)
    else:
        render(found)
