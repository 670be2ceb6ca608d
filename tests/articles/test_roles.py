"""Viewers read articles; only analysts (and admins) upload and reprocess."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article
from tests.factories import article_make

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}"
    )
    return client


def test_a_viewer_cannot_open_the_upload_page_nor_post_to_it(viewer_client):
    assert viewer_client.get("/articles/upload/").status_code == 403
    response = viewer_client.post("/articles/upload/", {"text": "Chile thanked Peru."})
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_a_viewer_sees_no_upload_link(viewer_client):
    assert (
        'href="/articles/upload/">Upload' not in viewer_client.get("/").content.decode()
    )


def test_an_analyst_sees_the_upload_link(analyst_client):
    assert 'href="/articles/upload/">Upload' in analyst_client.get("/").content.decode()


def test_a_viewer_cannot_reprocess(viewer_client):
    article = article_make(status="done")
    response = viewer_client.post(f"/articles/{article.pk}/reprocess/")
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == "done"


def test_a_viewer_reads_articles_but_cannot_upload_through_the_api(viewer):
    article_make()
    api = _api(viewer)

    assert api.get("/api/v1/articles/").status_code == 200
    refused = api.post(
        "/api/v1/articles/", {"text": "Chile thanked Peru."}, format="json"
    )
    assert refused.status_code == 403
    assert Article.objects.count() == 1


@pytest.mark.parametrize("who", ["analyst", "admin"])
def test_analysts_and_admins_upload(who, request):
    api = _api(request.getfixturevalue(who))
    response = api.post(
        "/api/v1/articles/", {"text": "Chile thanked Peru."}, format="json"
    )
    assert response.status_code == 201


def test_an_analyst_reprocesses(analyst_client):
    article = article_make(status="done")
    response = analyst_client.post(f"/articles/{article.pk}/reprocess/")
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == "queued"
