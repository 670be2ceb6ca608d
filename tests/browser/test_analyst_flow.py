"""An analyst's first session, in Chromium, against the real stack."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_upload_the_founding_article_and_follow_it_to_its_evidence(
    stack, analyst_login, page, screenshot, seed_text
):
    log_in(page, stack, analyst_login)
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
    usa_ven = page.locator('g.lane[data-lane="pair-USA-VEN"]')
    # same-day events of one status are one mark with their count
    drawn = usa_ven.locator("a.mark").count() + sum(
        int(n) for n in usa_ven.locator("a.day-cluster text").all_text_contents()
    )
    assert usa_ven.locator("a.mark-possible").count() == 1
    assert usa_ven.locator("a.mark-occurred").count() >= 1
    assert drawn >= 3
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


WIDTHS = (1024, 1920)


def _pages(stack) -> dict[str, str]:
    """Every page an analyst opens, with the data the flow above created."""
    event = stack.sql("SELECT id FROM tensions_event ORDER BY id LIMIT 1")
    article = stack.sql("SELECT id FROM articles_article ORDER BY id LIMIT 1")
    pages = {
        "home": "/",
        "timeline": "/timeline/?focus=VEN",
        "timeline-filtered": "/timeline/?focus=VEN&scope=actual&rejected=on",
        "country": "/countries/VEN/",
        "pair": "/pairs/USA/VEN/",
        "map": "/map/?span=1825",
        "events": "/events/?country=VEN",
        "articles": "/articles/",
        "upload": "/articles/upload/",
        "about": "/about/index/",
        "following": "/watches/",
    }
    if event:
        pages["event"] = f"/events/{event[0][0]}/"
        pages["event-edit"] = f"/events/{event[0][0]}/edit/"
    if article:
        pages["article"] = f"/articles/{article[0][0]}/"
    return pages


def test_every_page_renders_at_both_widths(stack, analyst_login, browser):
    too_wide = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, stack, analyst_login)
        for name, path in _pages(stack).items():
            response = page.goto(f"{stack.url}{path}")
            assert response.status == 200, (name, response.status)
            # nothing sticks out sideways at this width
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            if overflow > 0:
                too_wide.append((name, width, overflow))
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        context.close()
    assert too_wide == []


def test_the_timeline_works_from_the_keyboard(stack, analyst_login, page):
    log_in(page, stack, analyst_login)
    page.goto(f"{stack.url}/timeline/?focus=VEN&start=2025-10-01&end=2025-11-30")
    for _ in range(120):  # Tab through the filters until a mark has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('svg a.mark')"):
            break
    else:
        pytest.fail("no timeline mark could be reached with Tab")
    tip = page.locator(".timeline-tip")
    assert tip.is_visible() and "Venezuela" in tip.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/events/\d+/$"))

    page.go_back()
    page.locator("figure.timeline").focus()
    page.keyboard.press("ArrowLeft")  # 60 days: 30 earlier
    page.wait_for_url(re.compile(r"start=2025-09-01&end=2025-10-31"))
    page.locator("figure.timeline").focus()
    page.keyboard.press("+")  # half as long, around the same middle
    page.wait_for_url(re.compile(r"start=2025-09-16&end=2025-10-16"))
    assert page.locator("#id_start").input_value() == "2025-09-16"


def test_dragging_across_the_timeline_picks_the_dates(stack, analyst_login, page):
    log_in(page, stack, analyst_login)
    page.goto(f"{stack.url}/timeline/?focus=VEN&start=2025-01-01&end=2025-12-31")
    box = page.locator("svg.timeline-svg").bounding_box()
    y = box["y"] + 20  # the axis band, above the marks
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, y, steps=5)
    page.mouse.up()
    page.wait_for_url(re.compile(r"start=2025-0[5-8]-\d\d&end=2025-(0[8-9]|1[0-2])-"))


def test_the_api_docs_render_with_nothing_from_another_site(stack, analyst_login, page):
    # ReDoc's bundle asks for its footer logo from cdn.redoc.ly: the page's
    # policy must stop it in the browser, before any request leaves
    sent, blocked = [], []

    def finished(request):
        if _elsewhere(request, stack):
            sent.append(request.url)

    def failed(request):
        if _elsewhere(request, stack):
            # Playwright says "csp"; Chromium's own name is net::ERR_BLOCKED_BY_CSP
            by_policy = "csp" in (request.failure or "").lower()
            (blocked if by_policy else sent).append(request.url)

    page.on("requestfinished", finished)
    page.on("requestfailed", failed)
    log_in(page, stack, analyst_login)
    for path, title in (
        ("/api/docs/", ".swagger-ui .info .title"),
        ("/api/redoc/", "h1"),
    ):
        page.goto(f"{stack.url}{path}")
        page.locator(title).first.wait_for()
        assert "Tensions" in page.locator(title).first.inner_text(), path
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"api{path.replace('/', '-')}.png"))
    assert sent == []
    assert blocked == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]


def _elsewhere(request, stack) -> bool:
    return not request.url.startswith((stack.url, "data:", "blob:"))


def test_the_browsable_api_asks_for_nothing_missing(stack, analyst_login, page):
    # Its pages link no icon, so the browser asks for /favicon.ico.
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(page, stack, analyst_login)
    for path in ("/api/v1/", "/api/v1/events/", "/admin/"):
        page.goto(f"{stack.url}{path}")
        page.wait_for_load_state("networkidle")
    assert errors == []
