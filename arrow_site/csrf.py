"""Our page for a form refused by Django's CSRF check (settings.CSRF_FAILURE_VIEW).

Django's own page carries an inline style, which our Content Security Policy blocks, and talks about
DEBUG to a visitor; ours says what happened and what to do, and gives no reason from the check.
"""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", status=403)
