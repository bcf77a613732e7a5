"""Our page for a form refused by the CSRF check: Django's has an inline style our CSP blocks."""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", status=403)
