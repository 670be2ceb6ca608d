"""The API's content negotiation picks what DRF's picks, for every question."""

import pytest
from django.test import RequestFactory
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request

from tensions.api import CSVRenderer, JSONLinesRenderer
from tensions.api_negotiation import PlainNegotiation

_RENDERERS = [
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [CSVRenderer(), JSONLinesRenderer()],
]


@pytest.mark.parametrize("renderers", _RENDERERS)
@pytest.mark.parametrize(
    "query, accept, suffix",
    [
        ("", None, None),
        ("", "*/*", None),
        ("", " */*", None),
        ("", "*/*; q=0.5", None),
        ("", "application/json", None),
        ("", "application/json; indent=2", None),
        ("", "text/html,application/xhtml+xml,*/*;q=0.8", None),
        ("", "text/csv", None),
        ("?format=json", None, None),
        ("?format=", None, None),
        ("?format=csv", "*/*", None),
        ("", None, "json"),
        ("", None, "jsonl"),
    ],
)
def test_it_answers_as_drfs_negotiation(renderers, query, accept, suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(RequestFactory().get("/api/v1/events/" + query, **headers))

    assert _selected(PlainNegotiation(), request, renderers, suffix) == _selected(
        DefaultContentNegotiation(), request, renderers, suffix
    )


def _selected(negotiation, request, renderers, suffix):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except Exception as refused:  # 404 for an unknown format, 406 if none fits
        return type(refused)
    return type(renderer), media_type
