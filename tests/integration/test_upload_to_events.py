"""From an upload over HTTP to events in PostgreSQL, through a real worker."""

import re
import time

import pytest
import requests

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def token(stack):
    return stack.create_user("it-analyst", "integration-password-1")


def _upload(stack, token, **fields):
    return requests.post(
        f"{stack.url}/api/v1/articles/",
        json=fields,
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )


def test_the_founding_article_becomes_its_events(stack, token, seed_text):
    response = _upload(
        stack,
        token,
        text=seed_text,
        title="Maduro writes to Putin and Xi",
        publisher="Test Desk",
        published="2025-10-31",
    )
    assert response.status_code == 201, response.text
    article = response.json()["articles"][0]

    finished = stack.wait_for_article(article["id"], token)

    assert finished["status"] == "done", finished["error"]
    found = {
        (e["source_country"], e["target_country"], e["type"], e["status"])
        for e in finished["events"]
    }
    assert ("VEN", "RUS", "REQUEST", "occurred") in found
    assert ("VEN", "CHN", "REQUEST", "occurred") in found
    assert ("USA", "VEN", "ASSAULT", "occurred") in found
    assert ("USA", "VEN", "ASSAULT", "possible") in found
    sentences = stack.sql(
        "SELECT m.sentence FROM tensions_mention m JOIN tensions_event e "
        "ON e.id = m.event_id WHERE m.article_id = %s AND e.source_country_id = 'VEN' "
        "AND e.target_country_id = 'RUS'",
        (article["id"],),
    )
    assert any("letter to Russian President Vladimir Putin" in s for (s,) in sentences)


def test_processing_twice_leaves_the_same_rows(stack, token, seed_text):
    article = _upload(stack, token, text=seed_text)
    article_id = article.json()["articles"][0]["id"]
    stack.wait_for_article(article_id, token)
    before = _rows(stack, article_id)

    again = requests.post(
        f"{stack.url}/api/v1/articles/{article_id}/reprocess/",
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    assert again.status_code == 202
    finished = stack.wait_for_article(article_id, token)

    assert finished["attempts"] == 2
    assert _rows(stack, article_id) == before
    assert before


def _rows(stack, article_id):
    return sorted(
        stack.sql(
            "SELECT e.source_country_id, e.target_country_id, e.type, e.status, "
            "m.start, m.end FROM tensions_mention m JOIN tensions_event e "
            "ON e.id = m.event_id WHERE m.article_id = %s",
            (article_id,),
        )
    )


def test_a_second_upload_of_the_same_text_points_to_the_first(stack, token):
    text = "Chile and Peru signed a fisheries agreement on Monday in Lima."
    first = _upload(stack, token, text=text).json()["articles"][0]
    second = _upload(stack, token, text=f"  {text}\n")

    assert second.status_code == 200
    assert second.json()["articles"][0]["id"] == first["id"]
    assert second.json()["articles"][0]["created"] is False


def test_anonymous_uploads_are_refused(stack):
    response = requests.post(
        f"{stack.url}/api/v1/articles/", json={"text": "Some text."}, timeout=30
    )
    assert response.status_code in (401, 403)


def _post_form(session, url, data):
    """GET the form for its CSRF token, then POST it as a browser would."""
    page = session.get(url, timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": csrf.group(1)},
        headers={"Referer": url},
        timeout=30,
    )


def test_the_upload_form_works_through_a_browser_session(stack, token):
    session = requests.Session()
    credentials = {"username": "it-analyst", "password": "integration-password-1"}
    _post_form(session, f"{stack.url}/accounts/login/", credentials)

    response = _post_form(
        session,
        f"{stack.url}/articles/upload/",
        {
            "text": "Russia warned Norway that it would respond to new NATO bases.",
            "title": "A warning",
        },
    )

    assert response.status_code == 200
    article_id = int(re.search(r"/articles/(\d+)/$", response.url).group(1))
    assert stack.wait_for_article(article_id, token)["status"] == "done"


def test_the_worker_loads_the_extractor_once_before_it_is_ready(stack):
    """Its main process loads the model before the pool starts: the pool
    process is forked with it (no second load, no wait after "ready")."""
    deadline = time.monotonic() + 60
    # The pool process says what it did as it starts, maybe after "ready".
    while stack.log("worker").count("extractor ") < 2:
        assert time.monotonic() < deadline, stack.log("worker")[-3000:]
        time.sleep(0.1)
    log = stack.log("worker")
    loaded = log.index("extractor loaded in the main process")
    assert loaded < log.index(" ready.")
    assert "extractor inherited from the main process" in log
    assert log.count("extractor loaded") == 1
