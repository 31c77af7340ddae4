"""Driving Arco Design widgets by the data-testid names the pages carry."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect


def by_id(page: Page, test_id: str) -> Locator:
    return page.get_by_test_id(test_id)


def field(page: Page, test_id: str) -> Locator:
    """The text box of an input component (the test id sits on the component or the input)."""
    return page.locator(f'input[data-testid="{test_id}"], textarea[data-testid="{test_id}"], '
                        f'[data-testid="{test_id}"] input, [data-testid="{test_id}"] textarea').first


def fill(page: Page, test_id: str, value: object) -> None:
    box = field(page, test_id)
    box.fill(str(value))
    box.blur()


def choose(page: Page, test_id: str, option: str) -> None:
    """Open an a-select and pick the option showing ``option``."""
    by_id(page, test_id).click()
    page.locator(".arco-select-dropdown:visible .arco-select-option", has_text=option).first.click()


def attach(page: Page, test_id: str, path: Path) -> None:
    """Give a file to the upload area ``test_id``."""
    page.locator(f'[data-testid="{test_id}"] input[type=file], input[type=file][data-testid="{test_id}"]') \
        .first.set_input_files(str(path))


def confirm(page: Page) -> None:
    """Accept the open a-popconfirm (or confirm modal)."""
    page.locator(".arco-popconfirm:visible .arco-btn-primary, .arco-modal:visible .arco-btn-primary").first.click()


def expect_state(page: Page, test_id: str, state: str, timeout_s: float = 120) -> None:
    expect(by_id(page, test_id)).to_have_attribute("data-state", state, timeout=timeout_s * 1000)
