"""Pages for articles: the list, one article with its evidence, upload, status."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles import services
from articles.forms import UploadForm
from articles.models import Article, UploadBatch
from articles.search import articles_search, articles_with_event_counts
from tensions.display import highlight_segments
from tensions.models import Mention
from tensions.roles import ANALYST, role_required

PAGE_SIZE = 50


@login_required
def article_list(request):
    filters = _list_filters(request.GET)
    articles = _articles(**filters)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        **filters,
        "statuses": Article.Status.choices,
        "filters": urlencode({k: v for k, v in filters.items() if v}),
        "filtered": any(filters.values()),
    }
    return render(request, "articles/list.html", context)


def _list_filters(params) -> dict:
    """The list's filters from the query string; a value that cannot be read
    (an unknown status, a malformed date) is dropped."""
    status = params.get("status", "")
    return {
        "q": params.get("q", "").strip(),
        "status": status if status in Article.Status.values else "",
        "publisher": params.get("publisher", "").strip(),
        "language": params.get("language", "").strip(),
        "published_from": _date_or_blank(params.get("published_from", "")),
        "published_to": _date_or_blank(params.get("published_to", "")),
    }


def _date_or_blank(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return ""


def _articles(
    *, q, status, publisher, language, published_from, published_to
) -> QuerySet:
    """Best match first when searching, else the latest uploads first; each with
    its event count, in one query."""
    articles = articles_with_event_counts(Article.objects.all())
    for value, lookup in (
        (status, "status"),
        (publisher, "publisher__iexact"),
        (language, "language__iexact"),
        (published_from, "published__gte"),
        (published_to, "published__lte"),
    ):
        if value:
            articles = articles.filter(**{lookup: value})
    if q:
        return articles_search(articles, q)
    return articles.order_by("-uploaded_at", "-id")


@login_required
def article_detail(request, pk: int):
    article = get_object_or_404(Article.objects.select_related("uploaded_by"), pk=pk)
    mentions = list(
        Mention.objects.filter(article=article)
        .select_related(
            "event__source_actor",
            "event__target_actor",
            "event__source_country",
            "event__target_country",
        )
        .order_by("start", "event_id")
    )
    events = list({m.event_id: m.event for m in mentions}.values())
    spans = [(m.start, m.end, m.event) for m in mentions]
    context = {
        "article": article,
        "segments": highlight_segments(article.text, spans),
        "events": events,
    }
    return render(request, "articles/detail.html", context)


@login_required
def article_status(request, pk: int):
    article = get_object_or_404(Article.objects.defer("text"), pk=pk)
    response = render(request, "articles/_status.html", {"article": article})
    if request.htmx and article.is_finished:
        # The poll is over: reload the page so the events it found appear.
        response["HX-Refresh"] = "true"
    return response


@role_required(ANALYST)
@require_POST
def article_reprocess(request, pk: int):
    article = get_object_or_404(Article.objects.defer("text"), pk=pk)
    services.article_reprocess(article=article)
    messages.success(request, "Queued for processing again.")
    return redirect(article)


@role_required(ANALYST)
def upload(request):
    if request.method != "POST":
        return render(request, "articles/upload.html", _upload_context(request))
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        if form.cleaned_data["file"]:
            return _upload_files(request, form)
        try:
            result = services.article_create(
                text=form.cleaned_data["text"],
                **form.metadata(),
                uploaded_by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _uploaded(request, result)
    return render(request, "articles/upload.html", _upload_context(request, form))


def _upload_context(request, form=None) -> dict:
    batch = None
    if request.GET.get("batch", "").isdigit():
        batch = UploadBatch.objects.filter(pk=request.GET["batch"]).first()
    return {"form": form or UploadForm(), "batch": batch and _batch_context(batch)}


def _upload_files(request, form):
    result = services.batch_upload(
        files=form.cleaned_data["file"],
        source=UploadBatch.Source.WEB,
        uploaded_by=request.user,
        fields=form.metadata(),
    )
    if not result.uploads:
        for error in result.errors:
            form.add_error("file", f"{error['file']}: {error['message']}")
        return render(request, "articles/upload.html", _upload_context(request, form))
    if len(result.uploads) == 1 and not result.errors:
        return _uploaded(request, result.uploads[0])
    return redirect(f"{reverse('articles:upload')}?batch={result.batch.pk}")


def _uploaded(request, result: services.Upload):
    if result.created:
        messages.success(request, "Uploaded; processing…")
    else:
        messages.info(
            request, "This text was already uploaded: here is the existing article."
        )
    return redirect(result.article)


def _batch_context(batch: UploadBatch) -> dict:
    counts = batch.status_counts()
    total = sum(counts.values())
    finished = total - counts["queued"] - counts["processing"]
    failed = batch.articles.filter(status=Article.Status.FAILED).defer("text")
    return {
        "object": batch,
        "counts": counts,
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 100,
        "is_finished": finished == total,
        "failed": failed,
        "errors": batch.file_errors,
        **_existing(batch),
    }


# Already-stored texts listed on a batch's page (the count says how many more).
_EXISTING_SHOWN = 50


def _existing(batch: UploadBatch) -> dict:
    """The stored articles the batch's already-stored texts are, with the name
    of the file or record each came as."""
    listed = batch.existing_articles[:_EXISTING_SHOWN]
    found = Article.objects.only("title").in_bulk([e["article"] for e in listed])
    return {
        "existing": [
            {"file": e["file"], "article": found[e["article"]]}
            for e in listed
            if e["article"] in found  # deleted since
        ],
        "existing_more": max(0, len(batch.existing_articles) - _EXISTING_SHOWN),
    }


@login_required
def batch_status(request, pk: int):
    batch = get_object_or_404(UploadBatch, pk=pk)
    return render(request, "articles/_batch.html", {"batch": _batch_context(batch)})


@role_required(ANALYST)
@require_POST
def batch_retry(request, pk: int):
    batch = get_object_or_404(UploadBatch, pk=pk)
    count = services.batch_retry_failed(batch=batch)
    messages.success(request, f"{count} failed articles queued again.")
    return redirect(f"{reverse('articles:upload')}?batch={batch.pk}")


@login_required
def article_original(request, pk: int):
    """The file the article came from, as uploaded (always as a download, so a
    stored HTML page is never rendered on this site)."""
    article = get_object_or_404(
        Article.objects.select_related("original").only("original"), pk=pk
    )
    if article.original is None:
        raise Http404("This article was not uploaded as a file.")
    return FileResponse(
        article.original.file.open("rb"),
        as_attachment=True,
        filename=article.original.name,
        content_type="application/octet-stream",
    )
