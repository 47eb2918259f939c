"""The browser tests' axe check itself: a run cut short by the page changing under it is run again
on the page that loaded; any other failure of axe fails the test."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import conftest

pytestmark = pytest.mark.browser

PAGE = '<!doctype html><html lang="en"><head><title>Plain</title></head><body><main><h1>Plain</h1></main></body></html>'


def flaky_axe(monkeypatch, message):
    calls = []
    run = conftest._axe.run

    def cut_short_once(page, options=None):
        calls.append(page.url)
        if len(calls) == 1:
            raise PlaywrightError(message)
        return run(page, options=options)

    monkeypatch.setattr(conftest._axe, "run", cut_short_once)
    return calls


def test_a_run_cut_short_by_a_navigation_runs_again(page, monkeypatch):
    page.set_content(PAGE)
    calls = flaky_axe(monkeypatch, "TypeError: Cannot read properties of null (reading 'documentElement')")
    assert conftest.run_axe(page) == []
    assert len(calls) == 2


def test_any_other_failure_of_axe_is_not_hidden(page, monkeypatch):
    page.set_content(PAGE)
    calls = flaky_axe(monkeypatch, "Page.evaluate: ReferenceError: axe is not defined")
    with pytest.raises(PlaywrightError, match="axe is not defined"):
        conftest.run_axe(page)
    assert len(calls) == 1
