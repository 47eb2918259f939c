"""bench/web.py's shares: each page against its own reference in the same run."""

import pytest

from bench import web


def row(page, rps, concurrency=8, adjacent_for=None, server="gunicorn"):
    return {"server": server, "page": page, "rps": rps, "concurrency": concurrency, "adjacent_for": adjacent_for}


def test_a_page_is_measured_against_the_reference_at_the_start_of_its_block():
    rows = web.ratios(
        [row("bare-session", 400.0), row("member-home", 100.0), row("bare-session", 300.0, concurrency=32)]
        + [row("proposal", 60.0, concurrency=32), row("bare", 1000.0), row("public-home", 600.0)]
    )
    by_page = {(r["page"], r["concurrency"]): r for r in rows}
    assert by_page[("member-home", 8)]["ratio"] == pytest.approx(0.25)
    assert by_page[("member-home", 8)]["reference"] == "bare-session"
    assert by_page[("proposal", 32)]["ratio"] == pytest.approx(0.2)
    assert by_page[("public-home", 8)]["ratio"] == pytest.approx(0.6)
    assert by_page[("bare-session", 8)]["ratio"] is None


def test_with_a_reference_measured_right_before_a_page_its_share_is_of_that_one():
    rows = web.ratios(
        [row("bare-session", 400.0), row("bare-session", 200.0, adjacent_for="proposal"), row("proposal", 60.0)]
        + [
            row("member-home", 100.0),
            row("bare-session", 500.0, server="granian"),
            row("proposal", 50.0, server="granian"),
        ]
    )
    proposal, home, other_server = (r for r in rows if r["page"] != "bare-session")
    assert proposal["ratio"] == pytest.approx(0.3)
    assert home["ratio"] == pytest.approx(0.25)  # no reference of its own: the block's first
    assert other_server["ratio"] == pytest.approx(0.1)
    adjacent = next(r for r in rows if r.get("adjacent_for"))
    assert adjacent["ratio"] is None
    assert "reference for proposal" in web.table(
        [{**r, "p50": 1, "p95": 1, "p99": 1, "load": 0, "unexpected": 0} for r in rows]
    )
