"""Errors of the API in JSON, whatever raised them: {"detail": ...} and a status.

DRF answers its own exceptions in JSON; this adds what Django raises before a
view sees the data (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many files:
413) and the 404 and 500 pages of paths under /api/.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "payload_too_large"


_TOO_LARGE = {
    RequestDataTooBig: "The request body is over the limit of {limit:,} bytes "
    "(DATA_UPLOAD_MAX_MEMORY_SIZE); send large articles as files, fewer at a time.",
    TooManyFilesSent: "Too many files in one request (at most {files:,}).",
    TooManyFieldsSent: "Too many fields in one request.",
}


def exception_handler(exc, context):
    """DRF's handler, plus 413 for the limits Django enforces while parsing."""
    for kind, message in _TOO_LARGE.items():
        if isinstance(exc, kind):
            detail = message.format(
                limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
                files=settings.DATA_UPLOAD_MAX_NUMBER_FILES or 0,
            )
            return Response(
                {"detail": detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": f"Nothing here: {request.path} is not an API endpoint."},
            status=status.HTTP_404_NOT_FOUND,
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "Server error; it has been logged."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)
