"""Correction requests ("Report a problem"): the public form, its spam checks, the rate limits, and
the services that file and answer a request. No outside service: the site must work offline."""

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from authors.models import REPORT_TEXT_MAX_LENGTH, Author, CorrectionRequest, RateLimitCounter
from papers.models import Paper

logger = logging.getLogger(__name__)

Kind = CorrectionRequest.Kind
Status = CorrectionRequest.Status

# A person needs more than a few seconds to choose a kind and write a sentence; a script does not.
FORM_MIN_SECONDS = 3
FORM_MAX_SECONDS = 12 * 3600
STAMP_SALT = "authors.reports.form-stamp"
# Enough to point at a DOI, a dblp page and a home page; link spam carries many more.
MAX_LINKS = 3
LINK = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S", re.IGNORECASE)
MESSAGE_MIN_LENGTH = 10


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: int


# Per client address: a careful reader may send a few reports in a sitting, not dozens.
ADDRESS_LIMIT = RateLimit(count=5, seconds=3600)
# For the whole site: what curators could read in a day, so a botnet cannot bury the queue.
GLOBAL_LIMIT = RateLimit(count=100, seconds=3600)

# Most likely first.
KINDS = {
    CorrectionRequest.TargetType.PAPER: [Kind.WRONG_AUTHOR, Kind.METADATA, Kind.SAME_PERSON, Kind.OTHER],
    CorrectionRequest.TargetType.AUTHOR: [
        Kind.SAME_PERSON,
        Kind.TWO_PEOPLE,
        Kind.WRONG_AUTHOR,
        Kind.METADATA,
        Kind.OTHER,
    ],
}
AUTHOR_URL = re.compile(r"(?:^|/authors/)(\d{1,18})/?$")


class ReportRateLimited(Exception):
    """Too many reports from this address, or from everyone, in the current window."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def client_address(request) -> str:
    """The visitor's address, by django-axes' rule: behind the proxy, the right-most X-Forwarded-For
    entry (ours; earlier ones are client-supplied). IPv6 by /64, the block one host gets."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        address = forwarded or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100] or "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def report_target_type(target: Paper | Author) -> str:
    return CorrectionRequest.TargetType.PAPER if isinstance(target, Paper) else CorrectionRequest.TargetType.AUTHOR


def report_target_label(target: Paper | Author) -> str:
    label = target.title if isinstance(target, Paper) else target.row_label
    return label[:500]


def report_form_stamp(*, target: Paper | Author, now: float | None = None) -> str:
    """A signed "this form was shown at T for this target", checked when the form comes back."""
    return signing.dumps(
        {"t": int(now if now is not None else time.time()), "for": _stamp_target(target)}, salt=STAMP_SALT
    )


def report_form_stamp_check(*, stamp: str, target: Paper | Author, now: float | None = None) -> None:
    """ValidationError unless the stamp is ours, for this target, and neither too fresh nor too old."""
    try:
        payload = signing.loads(stamp, salt=STAMP_SALT)
        shown_at, shown_for = int(payload["t"]), payload["for"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError("This form could not be checked. Please send it again.", code="bad_stamp") from None
    age = (now if now is not None else time.time()) - shown_at
    if shown_for != _stamp_target(target):
        raise ValidationError("This form was for another page. Please send it again.", code="bad_stamp")
    if age < FORM_MIN_SECONDS:
        raise ValidationError(
            "That was sent faster than a person can type. Please check your report and send it again.",
            code="too_fast",
        )
    if age > FORM_MAX_SECONDS:
        raise ValidationError(
            "This form was open for too long. Your text is kept below: please check it and send it again.",
            code="expired",
        )


def _stamp_target(target: Paper | Author) -> str:
    return f"{report_target_type(target)}:{target.pk}"


def report_message_check(message: str) -> None:
    links = len(LINK.findall(message))
    if links > MAX_LINKS:
        raise ValidationError(
            "Please include at most %(max)d links (this message has %(count)d).",
            code="too_many_links",
            params={"max": MAX_LINKS, "count": links},
        )


class CorrectionRequestForm(forms.Form):
    """The public "Report a problem" form; `website` is the honeypot, `stamp` the signed timestamp."""

    kind = forms.ChoiceField(label="What is wrong?", widget=forms.RadioSelect)
    message = forms.CharField(
        label="Tell us more",
        min_length=MESSAGE_MIN_LENGTH,
        max_length=REPORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=(
            "What is wrong, and how you know (a link to the paper or the author's page helps). "
            f"At most {REPORT_TEXT_MAX_LENGTH:,} characters and {MAX_LINKS} links. This text is shown on "
            "your report's status page."
        ),
    )
    other_author = forms.CharField(
        label="The other author row, if you know it",
        required=False,
        max_length=300,
        help_text="Its address on this site (ending in /authors/123/) or its number, e.g. 123.",
    )
    email = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        max_length=254,  # the model's EmailField
        help_text="Only curators see it, to ask you a question. It is never shown on the site.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot: hidden by CSS, never by an attribute a script could read.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # Not required: a missing stamp is refused in clean(), with a message at the top of the form.
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, target: Paper | Author, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in KINDS[report_target_type(target)]]
        if isinstance(target, Paper):
            self.fields["other_author"].label = "The author row that should be on this paper, if you know it"
        self.fields["stamp"].initial = report_form_stamp(target=target)

    def clean_message(self):
        message = self.cleaned_data["message"]
        report_message_check(message)
        return message

    def clean_other_author(self):
        value = self.cleaned_data["other_author"].strip()
        if not value:
            return None
        match = AUTHOR_URL.search(value.split("?", 1)[0].split("#", 1)[0])
        author = Author.objects.filter(pk=int(match[1])).first() if match else None
        if author is None:
            raise ValidationError("No author row has that address or number; leave it empty if unsure.")
        if author.pk == getattr(self.target, "pk", None) and isinstance(self.target, Author):
            raise ValidationError("That is the row you are reporting; give the other one, or leave it empty.")
        return author

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.add_error(
                None,
                ValidationError(
                    "The form was not sent: a field meant to stay empty was filled in (an automatic form "
                    "filler may have done it). It is empty now; please send the form again.",
                    code="honeypot",
                ),
            )
        try:
            report_form_stamp_check(stamp=cleaned.get("stamp", ""), target=self.target)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def submission(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "message": data["message"],
            "email": data["email"],
            "other_author": data["other_author"],
        }

    def prepare_to_show_again(self) -> None:
        """Keep what the reporter typed, but empty the honeypot and give a fresh timestamp."""
        self.data = self.data.copy()
        self.data[self.add_prefix("website")] = ""
        self.data[self.add_prefix("stamp")] = report_form_stamp(target=self.target)


def report_rate_limit_take(*, address: str, now: float | None = None) -> None:
    """Count one report against the address's and the site's limits; ReportRateLimited if over.
    In the database, so it holds across workers and hosts without Redis; one upsert per window."""
    now = now if now is not None else time.time()
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    RateLimitCounter.objects.filter(expires_at__lt=datetime.fromtimestamp(now, UTC)).delete()
    for key, limit, message in (
        (
            f"address:{digest}",
            ADDRESS_LIMIT,
            "You have sent {count} reports in a short time, the most we take from one address. "
            "Please try again {later}; what you typed is kept below.",
        ),
        (
            "site",
            GLOBAL_LIMIT,
            "We are receiving too many reports just now. Please try again {later}; what you typed is kept below.",
        ),
    ):
        window = int(now // limit.seconds)
        expires = datetime.fromtimestamp((window + 1) * limit.seconds, UTC)
        count = _count_one(f"reports:{key}:{limit.seconds}:{window}", expires)
        if count > limit.count:
            retry_after = max(1, int(limit.seconds - now % limit.seconds))
            raise ReportRateLimited(
                message.format(count=limit.count, later=_later(retry_after)), retry_after=retry_after
            )


def _count_one(key: str, expires: datetime) -> int:
    """Add one to the window's count and return it: an atomic upsert (PostgreSQL and SQLite alike)."""
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires_at) VALUES (%s, 1, %s)"  # noqa: S608  # nosec B608 (our table)
            f" ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, expires],
        )
        return cursor.fetchone()[0]


def _later(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


@transaction.atomic
def correction_request_submit(
    *,
    target: Paper | Author,
    kind: str,
    message: str,
    email: str = "",
    other_author: Author | None = None,
    address: str,
) -> CorrectionRequest:
    """File a visitor's report about a paper or an author row; ReportRateLimited when over a limit."""
    target_type = report_target_type(target)
    request = CorrectionRequest(
        kind=kind,
        target_type=target_type,
        paper=target if target_type == CorrectionRequest.TargetType.PAPER else None,
        author=target if target_type == CorrectionRequest.TargetType.AUTHOR else None,
        other_author=other_author,
        target_label=report_target_label(target),
        message=message,
        email=email,
    )
    request.full_clean()
    # Counted only once the report is valid: a reporter fixing a mistake does not use up the limit.
    report_rate_limit_take(address=address)
    request.save()
    return request


@transaction.atomic
def correction_request_update(
    *, correction_request: CorrectionRequest, status: str, reply: str, curator
) -> CorrectionRequest:
    correction_request.status = status
    correction_request.reply = reply
    correction_request.handled_by = curator
    correction_request.full_clean()
    correction_request.save(update_fields=["status", "reply", "handled_by", "updated_at"])
    return correction_request
