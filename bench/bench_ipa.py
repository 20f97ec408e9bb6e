"""Benchmarks for Individual Placement Agreements (issue 4): generating and signing, against the Word route.

Targets: generate an IPA under 250 ms median; generate and sign (PKCS#12
opened, PAdES signature) under 500 ms median. For comparison, the route
officers use today is timed in the same run: a Word template filled with
python-docx, then converted to PDF by LibreOffice headless where it is
installed (skipped with a note where it is not). The ratio of the two routes
is recorded.

Run alone: ``.venv/bin/python -m bench ipa`` or ``.venv/bin/python bench/bench_ipa.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ISSUE = 4
GENERATE_LIMIT_MS = 250.0
SIGN_LIMIT_MS = 500.0
REPEAT = 9
PASSPHRASE = "bench-passphrase"


def sample_data() -> Any:
    """A realistic agreement: six fee lines, three funding partners, a page of special conditions."""
    from placedesk.reports.ipa import FeeLine, FundingShare, IpaData, Kpi, load_clauses

    lines = (
        FeeLine("Core fee", "Residential placement, core weekly fee", 485000),
        FeeLine("Additional support", "1:1 staffing, 20 hours a week", 64000),
        FeeLine("Additional support", "Waking night staff", 42000),
        FeeLine("Education", "On-site education, 25 hours a week", 98500),
        FeeLine("Health / therapy", "Therapeutic input, weekly session", 18500),
        FeeLine("Other", "Transport to school", 9750),
    )
    total = sum(line.weekly_pence for line in lines)
    return IpaData(
        agreement_ref="IPA-PLC-7F3A-0042", version=1, issued_on=dt.date(2026, 3, 2),
        la_name="Cyngor Sir Ynys Môn", la_address="Council Offices, Llangefni LL77 7TW",
        officer_name="Siân Ŵyn-Roberts", officer_role="Placement Officer", officer_email="sian@example.gov.uk",
        provider_name="Oak House", provider_owner="Brightpath Care Ltd", provider_address="1 High St, Bangor LL57 1AA",
        provider_urn="SC123456", provider_contact="Jo Provider, jo@brightpath.example",
        contract_route="Framework (North Wales)", placement_ref="PLC-7F3A-0042", placement_type="Children's home",
        placement_address="Oak House, 3 Lôn Las, Bangor LL57 2BB", start_date=dt.date(2026, 3, 9),
        planned_end_date=dt.date(2027, 3, 8), review_date=dt.date(2026, 4, 6),
        child_name="Zoë Żółkiewska", child_known_as="Zoë", child_date_of_birth=dt.date(2011, 4, 2),
        child_gender="Female", child_case_reference="CASE-0042", child_legal_status="C2 – Full care order (s31)",
        child_home_authority="Ynys Môn", fee_lines=lines,
        funding_shares=(FundingShare("Social care", 6000, total * 6000 // 10000),
                        FundingShare("Education", 3000, total * 3000 // 10000),
                        FundingShare("Health", 1000, total - total * 9000 // 10000)),
        kpis=(Kpi("School attendance", "Outcome", "at least 95%"), Kpi("Missing episodes", "Outcome", "at most 0"),
              Kpi("Notifications on time", "Process", "at least 100%")),
        review_dates=(dt.date(2026, 6, 1), dt.date(2026, 9, 1)),
        special_conditions="\n".join(f"- Condition {n}: the provider will keep a written record of contact."
                                     for n in range(1, 13)),
        clauses=load_clauses(),
    )


def _timed(fn: Any, repeat: int = REPEAT) -> list[float]:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def _median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def measure_reportlab() -> dict[str, Any]:
    from placedesk.reports import signing
    from placedesk.reports.ipa import render_ipa
    from placedesk.services.agreements.identity import build_identity

    data = sample_data()
    p12, _pem = build_identity("Siân Ŵyn-Roberts", "Placement Officer", "Cyngor Sir Ynys Môn", "", PASSPHRASE)
    generate = _timed(lambda: render_ipa(data))

    def generate_and_sign() -> bytes:
        pdf = render_ipa(data)
        signer = signing.load_signer(p12, PASSPHRASE)
        return signing.sign_pdf(pdf, signing.LA_FIELD, signer, name=data.officer_name, role=data.officer_role,
                                organisation=data.la_name)

    sign = _timed(generate_and_sign)
    signed = generate_and_sign()
    from pypdf import PdfReader

    return {
        "generate_ms": _median(generate), "generate_max": max(generate),
        "sign_ms": _median(sign), "sign_max": max(sign),
        "pages": len(PdfReader(io.BytesIO(signed)).pages), "bytes": len(signed),
        "valid": all(c.ok for c in signing.verify_pdf(signed)),
    }


def _template(path: Path) -> None:
    """A Word IPA template as councils keep them: paragraphs with {{fields}} and a fee table."""
    from docx import Document

    document = Document()
    document.add_heading("{{la_name}}: Individual Placement Agreement", 0)
    document.add_paragraph("Agreement {{agreement_ref}}, version {{version}}, issued {{issued_on}}.")
    for section, body in (
        ("1. The parties", "The Council: {{la_name}}, {{la_address}}. Provider: {{provider_owner}} (URN {{urn}})."),
        ("2. The child", "{{child_name}}, born {{dob}}, case reference {{case_ref}}, legal status {{legal}}."),
        ("3. The placement", "{{placement_type}} at {{placement_address}} from {{start}}."),
        ("4. Fees and funding", "Weekly total {{weekly_total}}; annual equivalent {{annual_total}}."),
    ):
        document.add_heading(section, 1)
        document.add_paragraph(body)
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ("Fee line", "Description", "Weekly", "Annual"), strict=True):
        cell.text = text
    for section, body in (
        ("5. Outcomes and KPIs", "{{outcomes}}"), ("6. Payment terms", "{{payment_terms}}"),
        ("7. Notice period", "{{notice}}"), ("8. Reporting duties", "{{reporting}}"),
        ("9. Review dates", "{{reviews}}"), ("10. Special conditions", "{{special}}"),
        ("11. Signatures", "Signed for the Council: ____________  Signed for the Provider: ____________"),
    ):
        document.add_heading(section, 1)
        document.add_paragraph(body)
    document.save(path)


def _fill(template: Path, data: Any) -> bytes:
    from docx import Document

    from placedesk.reports.ipa import WEEKS_PER_YEAR
    from placedesk.services.common.parsing import format_date, format_money

    total = data.weekly_total_pence
    values = {
        "la_name": data.la_name, "agreement_ref": data.agreement_ref, "version": str(data.version),
        "issued_on": format_date(data.issued_on), "la_address": data.la_address,
        "provider_owner": data.provider_owner, "urn": data.provider_urn, "child_name": data.child_name,
        "dob": format_date(data.child_date_of_birth), "case_ref": data.child_case_reference,
        "legal": data.child_legal_status, "placement_type": data.placement_type,
        "placement_address": data.placement_address, "start": format_date(data.start_date),
        "weekly_total": format_money(total), "annual_total": format_money(total * WEEKS_PER_YEAR),
        "outcomes": data.clauses["outcomes"], "payment_terms": data.clauses["payment_terms"],
        "notice": data.clauses["notice_period"], "reporting": data.clauses["reporting_duties"],
        "reviews": ", ".join(format_date(d) for d in data.review_dates), "special": data.special_conditions,
    }
    document = Document(str(template))
    for paragraph in document.paragraphs:
        if "{{" in paragraph.text:
            text = paragraph.text
            for key, value in values.items():
                text = text.replace("{{" + key + "}}", value)
            paragraph.text = text
    table = document.tables[0]
    for line in data.fee_lines:
        cells = table.add_row().cells
        for cell, text in zip(cells, (line.kind, line.description, format_money(line.weekly_pence),
                                      format_money(line.weekly_pence * WEEKS_PER_YEAR)), strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def measure_word_route(folder: Path) -> dict[str, Any]:
    data = sample_data()
    template = folder / "ipa-template.docx"
    _template(template)
    fill = _timed(lambda: _fill(template, data))
    result: dict[str, Any] = {"fill_ms": _median(fill), "convert_ms": None, "note": ""}
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        result["note"] = "LibreOffice is not installed here: the Word route is timed without its PDF conversion"
        return result
    filled = folder / "filled.docx"
    filled.write_bytes(_fill(template, data))

    def convert() -> None:
        subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(filled)],
                       capture_output=True, timeout=300, check=True)

    try:
        result["convert_ms"] = _median(_timed(convert, repeat=3))
    except (subprocess.SubprocessError, OSError) as exc:
        result["note"] = f"LibreOffice conversion failed ({type(exc).__name__}); timed without it"
    return result


def run(ctx: Any) -> list[Any]:
    """The harness entry point."""
    from bench import common

    r = measure_reportlab()
    with tempfile.TemporaryDirectory() as tmp:
        w = measure_word_route(Path(tmp))
    results = [
        common.Result(name="IPA: generate the PDF (reportlab, median)", value=round(r["generate_ms"], 1), unit="ms",
                      limit=GENERATE_LIMIT_MS,
                      detail=f"{r['pages']} pages, 6 fee lines, 3 partners; slowest {r['generate_max']:.0f} ms"),
        common.Result(name="IPA: generate and sign (PKCS#12 opened, PAdES, median)", value=round(r["sign_ms"], 1),
                      unit="ms", limit=SIGN_LIMIT_MS,
                      detail=f"{r['bytes'] // 1024} KB signed; signature valid: {r['valid']}; "
                             f"slowest {r['sign_max']:.0f} ms"),
        common.Result(name="Word route: fill the template with python-docx (median)", value=round(w["fill_ms"], 1),
                      unit="ms", detail="same fields and fee lines; produces .docx, not yet a PDF"),
    ]
    word_total = w["fill_ms"] + (w["convert_ms"] or 0.0)
    if w["convert_ms"] is not None:
        results.append(common.Result(name="Word route: LibreOffice headless to PDF (median)",
                                     value=round(w["convert_ms"], 1), unit="ms"))
    note = w["note"] or "python-docx fill plus LibreOffice conversion"
    results.append(common.Result(
        name="Word route time / reportlab generate time", value=round(word_total / r["generate_ms"], 2), unit="x",
        detail=note,
    ))
    return results


if __name__ == "__main__":
    print(measure_reportlab())
    with tempfile.TemporaryDirectory() as tmp:
        print(measure_word_route(Path(tmp)))
