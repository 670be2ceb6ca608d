"""Pages for articles: the list, one article with its evidence, upload, status."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles import services
from articles.forms import UploadForm
from articles.models import Article, UploadBatch
from tensions.display import highlight_segments
from tensions.models import Mention
from tensions.roles import ANALYST, role_required

PAGE_SIZE = 50


@login_required
def article_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in Article.Status.values:
        status = ""
    articles = _articles(query, status)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "status": status,
        "statuses": Article.Status.choices,
        "filters": _filters_query(query, status),
    }
    return render(request, "articles/list.html", context)


def _articles(query: str, status: str):
    articles = (
        Article.objects.defer("text")
        .annotate(event_count=Count("mentions__event", distinct=True))
        .order_by("-uploaded_at", "-id")
    )
    if query:
        articles = articles.filter(
            Q(title__icontains=query)
            | Q(publisher__icontains=query)
            | Q(text__icontains=query)
        )
    if status:
        articles = articles.filter(status=status)
    return articles


def _filters_query(query: str, status: str) -> str:
    """The filters as a query string, kept by the pagination links."""
    return urlencode({k: v for k, v in (("q", query), ("status", status)) if v})


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
