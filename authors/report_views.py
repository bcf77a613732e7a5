"""The public "Report a problem" forms and the reporter's status page (the work is in authors/reports.py).

Never cached: the form carries a CSRF token and a timestamp, and a status page is private to its holder.
"""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from authors.models import Author, CorrectionRequest
from authors.reports import (
    CorrectionRequestForm,
    ReportRateLimited,
    client_address,
    correction_request_submit,
    report_target_type,
)
from authors.selectors import author_or_survivor
from papers.models import Paper

# token_urlsafe(32) gives 43 characters; anything else cannot be a token, so no query is made.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
NOINDEX = "noindex, nofollow"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_paper(request, pk: int):
    paper = get_object_or_404(Paper.objects.select_related("venue"), pk=pk)
    return report_form(request, target=paper)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_author(request, pk: int):
    author, survivor = author_or_survivor(pk)
    if survivor is not None:
        return HttpResponseRedirect(reverse("authors:report-author", kwargs={"pk": survivor.pk}))
    return report_form(request, target=author)


def report_form(request, *, target: Paper | Author):
    form = CorrectionRequestForm(request.POST if request.method == "POST" else None, target=target)
    status, retry_after, refusal = 200, None, ""
    if form.is_bound and form.is_valid():
        try:
            report = correction_request_submit(target=target, address=client_address(request), **form.submission())
        except ReportRateLimited as limited:
            status, retry_after, refusal = 429, limited.retry_after, limited.message
        except ValidationError as error:  # the model's own checks, should the form have missed one
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Thank you: your report is in the curators' queue.")
            return redirect(report)
    if form.is_bound:
        form.prepare_to_show_again()
    context = {"form": form, "target": target, "refusal": refusal}
    template = f"authors/report_form_{report_target_type(target)}.html"
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = NOINDEX
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def report_status(request, token: str):
    if not TOKEN.fullmatch(token):
        raise Http404("No such report.")
    queryset = CorrectionRequest.objects.select_related("paper", "author", "other_author")
    report = get_object_or_404(queryset, token=token)
    response = render(request, "authors/report_status.html", {"report": report})
    response["X-Robots-Tag"] = NOINDEX
    return response
