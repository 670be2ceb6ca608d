"""An analyst's first session, in Chromium, against the real stack."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "browser-password-1"


@pytest.fixture(scope="module")
def analyst_login(stack):
    stack.create_user("browser-analyst", PASSWORD)
    return "browser-analyst"


def _log_in(page, stack, username):
    page.goto(f"{stack.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.url}/")


def test_upload_the_founding_article_and_follow_it_to_its_evidence(
    stack, analyst_login, page, screenshot, seed_text
):
    _log_in(page, stack, analyst_login)
    screenshot("home-empty")

    page.goto(f"{stack.url}/articles/upload/")
    page.get_by_label("Text").fill(seed_text)
    page.get_by_label("Title").fill("Maduro asks Putin and Xi for military help")
    page.get_by_label("Publication date").fill("2025-10-31")
    screenshot("upload")
    page.get_by_role("button", name="Upload", exact=True).click()

    page.wait_for_url(re.compile(r"/articles/\d+/$"))
    # The status box polls by itself until the worker is done: no reload by the test.
    page.locator("#article-status.status-done").wait_for(timeout=120_000)
    screenshot("article-done")

    page.goto(f"{stack.url}/timeline/?focus=VEN")
    for lane in ("pair-RUS-VEN", "pair-CHN-VEN", "pair-USA-VEN"):
        assert page.locator(f'g.lane[data-lane="{lane}"] a.mark').count() >= 1, lane
    strikes = page.locator('g.lane[data-lane="pair-USA-VEN"] a.mark')
    assert page.locator('g.lane[data-lane="pair-USA-VEN"] a.mark-possible').count() == 1
    assert page.locator('g.lane[data-lane="pair-USA-VEN"] a.mark-occurred').count() >= 1
    assert strikes.count() >= 2
    screenshot("timeline")

    page.locator('g.lane[data-lane="pair-RUS-VEN"] a.mark-occurred').first.click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    highlighted = page.locator("mark").all_inner_texts()
    assert any("letter to Russian President Vladimir Putin" in t for t in highlighted)
    assert page.get_by_text(re.compile("asked Russia", re.I)).count() >= 1
    screenshot("event")

    page.get_by_label("Reason").fill("Matches the letter quoted in the article.")
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    assert "Matches the letter quoted in the article." in history.inner_text()
    screenshot("event-confirmed")
