"""Usage reports are what products sent: staff read them and their lines, and find the
flagged lines (money held) among them. Nobody edits either here. Staff can upload a report
as CSV on a product's behalf; it goes through the same validation and service as the API,
so it is judged and stored the same way."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Expression,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from portal.catalogue.admin import ReadOnlyMixin
from portal.earnings.admin.common import FLAGGED, money_text
from portal.earnings.csv_upload import (
    CsvInvalid,
    Origin,
    Problem,
    problems_in,
    usage_report_from_csv,
)
from portal.earnings.models import Allocation, UsageLine, UsageReport
from portal.earnings.services import Submitted, UsageReportConflict, usage_report_submit
from portal.earnings.validation import UsageReportInvalid, UsageReportTooLarge, usage_report_parse
from portal.licensing.models import Product

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MAX_UPLOAD_BYTES = 32 * 1024 * 1024


def _of_report(aggregate: Any, output: Any) -> Expression:
    """An aggregate of the outer report's allocations: a subquery on the report's own
    rows (indexed), so a changelist page sums only the reports it shows."""
    rows = (
        Allocation.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(rows, output_field=output), 0, output_field=output)


class ReportTotals(TypedDict):
    """What the report admin's queryset annotates."""

    line_count: int
    gross_total: Decimal | None
    flagged_lines: int
    held: Decimal | None


# --- CSV upload ------------------------------------------------------------------------


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        status = "" if obj.status == Product.Status.ACTIVE else f" ({obj.get_status_display()})"
        return f"{obj.name}{status}"


class UsageReportUploadForm(forms.Form):
    """The report's header as fields, its lines as a CSV file. Only the file's size and
    type are checked here: the report itself is validated as the API validates it."""

    product = ProductChoiceField(
        queryset=Product.objects.order_by("name"),
        help_text="Any product, whatever its status now: use is reported after the fact.",
    )
    reference = forms.CharField(
        max_length=100,
        help_text="The product's own name for the report. The same reference and content "
        "again is recognised, not stored twice.",
    )
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The period must have ended: use is checked against the whole period.",
    )
    currency = forms.CharField(max_length=3, help_text="ISO 4217, such as EUR.")
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="UTF-8, with the header isrc,use,units,gross,credit and a row per work "
        "and use; gross as 1234.50. At most 32 MiB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                "Upload a .csv file (from a spreadsheet: “Save as… CSV UTF-8”)."
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 32 MiB; split the report into several reports."
            )
        return upload


# Mistakes about the report's header, as usage_report_parse names them, and the form
# field each belongs to.
HEADER_FIELDS = {
    "reference": "reference",
    "period.start": "period_start",
    "period.end": "period_end",
    "currency": "currency",
    "lines": "file",
}


class UploadRefused(Exception):
    """Nothing was stored; the form carries field errors, `problems` the file's rows."""

    def __init__(self, problems: list[Problem] | None = None, total: int = 0) -> None:
        super().__init__("refused")
        self.problems, self.total = problems or [], total


def _rejected(
    form: UsageReportUploadForm, exc: UsageReportInvalid, origins: list[Origin]
) -> UploadRefused:
    """The report's mistakes: those about its header on the form's fields, those about
    its lines against the rows of the file."""
    problems = problems_in(exc.details, origins)
    for problem in problems:
        if problem.origin is None:
            form.add_error(HEADER_FIELDS.get(problem.field), problem.message)
    rows = [problem for problem in problems if problem.origin is not None]
    return UploadRefused(rows, exc.total - (len(problems) - len(rows)))


def _upload(form: UsageReportUploadForm) -> Submitted:
    """Read, validate and submit the report the form describes. Raises UploadRefused
    (with the mistakes on the form or in it) having stored nothing."""
    data = form.cleaned_data
    try:
        found = usage_report_from_csv(
            reference=data["reference"],
            period_start=data["period_start"].isoformat(),
            period_end=data["period_end"].isoformat(),
            currency=data["currency"],
            data=data["file"].read(),
        )
    except CsvInvalid as exc:
        raise UploadRefused(exc.problems, exc.total) from exc
    try:
        parsed = usage_report_parse(found.data)
    except UsageReportInvalid as exc:
        raise _rejected(form, exc, found.origins) from exc
    except UsageReportTooLarge as exc:
        form.add_error("file", str(exc))
        raise UploadRefused() from exc
    try:
        return usage_report_submit(product=data["product"], parsed=parsed)
    except UsageReportConflict as exc:
        form.add_error("reference", str(exc))
        raise UploadRefused() from exc


# --- usage reports ---------------------------------------------------------------------


@admin.register(UsageReport)
class UsageReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "product",
        "period_start",
        "period_end",
        "currency",
        "line_count",
        "gross_total",
        "flagged_count",
        "held_total",
        "received_at",
    ]
    list_select_related = ["product"]
    list_filter = ["product", "currency"]
    search_fields = ["reference", "product__name"]
    date_hierarchy = "period_start"
    fields = (
        "product",
        "reference",
        "period_start",
        "period_end",
        "currency",
        "received_at",
        "body_hash",
        "line_count",
        "gross_total",
        "flagged_count",
        "held_total",
        "links",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[UsageReport]:
        money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)
        reports: QuerySet[UsageReport] = super().get_queryset(request)
        return reports.annotate(
            line_count=_of_report(Count("pk"), IntegerField()),
            gross_total=_of_report(Sum("gross"), money),
            flagged_lines=_of_report(Count("pk", filter=FLAGGED), IntegerField()),
            held=_of_report(Sum("gross", filter=FLAGGED), money),
        )

    @admin.display(description="lines", ordering="line_count")
    def line_count(self, report: "WithAnnotations[UsageReport, ReportTotals]") -> int:
        return report.line_count

    @admin.display(description="gross", ordering="gross_total")
    def gross_total(self, report: "WithAnnotations[UsageReport, ReportTotals]") -> str:
        return money_text(report.gross_total, report.currency)

    @admin.display(description="flagged lines", ordering="flagged_lines")
    def flagged_count(self, report: "WithAnnotations[UsageReport, ReportTotals]") -> int:
        return report.flagged_lines

    @admin.display(description="held (gross of flagged lines)", ordering="held")
    def held_total(self, report: "WithAnnotations[UsageReport, ReportTotals]") -> str:
        return money_text(report.held, report.currency)

    @admin.display(description="")
    def links(self, report: UsageReport) -> str:
        # Links, not inlines: a report can have tens of thousands of lines.
        lines = reverse("admin:earnings_usageline_changelist") + f"?report__id__exact={report.pk}"
        allocations = (
            reverse("admin:earnings_allocation_changelist") + f"?report__id__exact={report.pk}"
        )
        return format_html(
            '<a href="{}">Its lines</a> · <a href="{}">Their allocations</a> · '
            '<a href="{}&amp;compliance=flagged">Its flagged lines</a>',
            lines,
            allocations,
            allocations,
        )

    # --- upload ---------------------------------------------------------------------
    def has_upload_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("earnings.add_usagereport")

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="earnings_usagereport_upload",
        )
        return [upload, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"can_upload": self.has_upload_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """A report uploaded as CSV: stored whole, or nothing stored and every mistake
        shown against its row in the file."""
        if not self.has_upload_permission(request):
            raise PermissionDenied
        form = UsageReportUploadForm(request.POST or None, request.FILES or None)
        refused = UploadRefused()
        if request.method == "POST" and form.is_valid():
            try:
                # The report and its audit entry are stored together, or neither is.
                with transaction.atomic():
                    submitted = _upload(form)
                    if submitted.created:
                        filename = form.cleaned_data["file"].name
                        self.log_addition(
                            request,
                            submitted.report,
                            f"Uploaded as CSV ({filename}): {submitted.lines} lines.",
                        )
            except UploadRefused as exc:
                refused = exc
            else:
                return self._uploaded(request, submitted)
        return TemplateResponse(
            request,
            "admin/earnings/usagereport/upload.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Upload a usage report (CSV)",
                "form": form,
                "problems": refused.problems,
                "total": refused.total,
                "more": refused.total - len(refused.problems),
            },
        )

    def _uploaded(self, request: HttpRequest, submitted: Submitted) -> HttpResponse:
        report = submitted.report
        if submitted.created:
            self.message_user(
                request,
                f"Stored {report.product}'s report “{report.reference}”: {submitted.lines} "
                "lines, allocated.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"{report.product}'s report “{report.reference}” was already received on "
                f"{report.received_at:%Y-%m-%d} with the same content: nothing was stored "
                "again.",
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:earnings_usagereport_change", args=[report.pk]))


@admin.register(UsageLine)
class UsageLineAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["report", "work", "use_type", "units", "gross", "credit"]
    list_select_related = ["report", "work", "use_type"]
    list_filter = ["use_type", "report__product"]
    search_fields = ["work__isrc", "work__title", "report__reference", "credit"]
    show_full_result_count = False
