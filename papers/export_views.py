"""Downloads of one paper: BibTeX, RIS and CSL-JSON."""

from django.shortcuts import get_object_or_404

from papers.downloads import check_format, download
from papers.exports import papers_for_export
from papers.models import Paper


def paper_export(request, pk: int, fmt: str):
    check_format(fmt)
    paper = get_object_or_404(papers_for_export(Paper.objects.all()), pk=pk)
    return download([paper], fmt, f"arrow-paper-{paper.pk}")
