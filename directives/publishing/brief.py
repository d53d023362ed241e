"""The as-of report as a PDF brief (fpdf2, pure Python: the image needs no system libraries for it).

fpdf2's built-in Helvetica covers Latin-1 only, so text is reduced to it: typographic quotes and
dashes become their plain forms, anything else outside Latin-1 a "?" (the page and the CSV keep
every character).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from directives import deadlines

from .reports import Grade, Report, ReportRow

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

# Typographic quotes, dashes, the ellipsis and the no-break space, as their plain Latin-1 forms.
_PLAIN = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
     "\u2026": "...", "\u00a0": " "}
)  # fmt: skip


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _day(day: dt.date | None) -> str:
    return deadlines.weekday_date(day) if day else ""


def _status(row: ReportRow) -> str:
    """Return the status cell: the words, the reason of not applicable, the completion's flag."""
    text = f"{row.status_label}: {row.reason}" if row.reason else row.status_label
    return f"{text} ({row.completion_flag})" if row.completion_flag else text


def pdf_bytes(report: Report, *, generated: str) -> bytes:
    """Return the report as a PDF: a title, the grades by section, then every requirement's row."""
    # fpdf2 and its fonts take about 0.7 s to import: only a PDF asks for them, not every process start.
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    order = report.order
    pdf = FPDF(orientation="landscape", format="Letter")
    pdf.set_title(_latin1(f"EO {order.number} status as of {report.as_of.isoformat()}"))
    pdf.set_author("orderctl")
    pdf.set_creator("orderctl")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.multi_cell(
        0, 8, _latin1(f"Executive Order {order.number}: {order.title}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"Status of its requirements as of {deadlines.weekday_date(report.as_of)} (end of day, Eastern "
            "time), replayed from the tracker's signed history. "
            f"Signed {deadlines.weekday_date(order.signed_on)}. "
            f"Generated {generated}. Grades are as the agencies claimed them; the last column says "
            "whether an oversight reviewer had verified, disputed or found no evidence for each claim "
            "by that day."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if report.not_yet_tracked:
        pdf.multi_cell(
            0,
            6,
            f"{report.not_yet_tracked} requirement(s) were not yet tracked on that date.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.multi_cell(0, 6, _latin1(f"In all: {report.summary()}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    headings = FontFace(emphasis="BOLD", fill_color=(220, 228, 238))
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 8, "Grades by section", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    with pdf.table(
        col_widths=(30, 36, 36, 36, 36, 20),
        width=194,
        align="LEFT",
        headings_style=headings,
        text_align="LEFT",
    ) as table:
        table.row(["Section", *(g.label for g in Grade), "Total"])
        for section, counts, total in report.sections():
            table.row([f"Sec. {section}", *(str(counts[g]) for g in Grade), str(total)])
        table.row(["All", *(cell for _, cell in report.total_cells()), str(len(report.rows))])
    pdf.ln(5)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 8, "Requirements", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    with pdf.table(
        col_widths=(18, 88, 30, 26, 24, 24, 30, 22), headings_style=headings, text_align="LEFT", line_height=5
    ) as table:
        table.row(
            [
                "Sec.",
                "Requirement",
                "Lead",
                "Status",
                "Completed",
                "Due (original)",
                "Grade",
                "Verified or claimed",
            ]
        )
        for row in report.rows:
            table.row(
                [
                    _latin1(row.ref),
                    _latin1(row.title),
                    _latin1(row.leads),
                    _latin1(_status(row)),
                    _day(row.completed_day),
                    _day(row.due_day) + (f" ({_day(row.original_due_day)})" if row.extended else ""),
                    row.grade.label,
                    row.basis,
                ]
            )
    _extensions(pdf, report, headings)
    return bytes(pdf.output())


def _extensions(pdf: FPDF, report: Report, headings: FontFace) -> None:
    """Add the extension trail: each extension granted, or request denied, by the date: who asked, who
    decided, when, and the decision (a denial with its reason)."""
    pdf.ln(5)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 8, "Extensions", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    rows = report.extended_rows()
    if not rows:
        pdf.multi_cell(
            0,
            6,
            "No deadline was extended, and no request denied, by that day.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return
    with pdf.table(
        col_widths=(16, 26, 28, 34, 30, 58, 50), headings_style=headings, text_align="LEFT", line_height=5
    ) as table:
        table.row(
            [
                "Sec.",
                "Due date before",
                "Extended to (or asked for)",
                "Requested by",
                "Decided by",
                "Decided",
                "Decision",
            ]
        )
        for row in rows:
            for extension in row.extensions:
                table.row(
                    [
                        _latin1(row.ref),
                        _day(extension.old_due_day),
                        _day(extension.new_due_day),
                        _latin1(extension.requested_by or "no request (extended directly)"),
                        _latin1(extension.decided_by),
                        extension.decided_time,
                        _latin1(f"Denied: {extension.reason}" if extension.denied else "Approved"),
                    ]
                )
