"""The IPA document: every section, page numbering, fonts for every name, council clause wording."""

from __future__ import annotations

import datetime as dt
import io
import time
import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from placedesk.reports import fonts
from placedesk.reports.ipa import FeeLine, FundingShare, fill_clause, load_clauses, quantity, render_ipa
from placedesk.reports.signing import LA_FIELD, PROVIDER_FIELD, document_keywords, signature_field_names
from tests.reports.ipa_data import earlier_version, sample


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


SECTIONS = [
    "1. The parties", "2. The child", "3. The placement", "4. Fees and funding", "5. Outcomes and KPIs",
    "6. Needs and risks, and how the Provider will meet them", "7. Education", "8. Health",
    "9. Family time and contact", "10. Delegated authority", "11. Payment terms", "12. Notice period",
    "13. Reporting duties", "14. Review dates", "15. Special conditions", "16. General terms",
    "17. Versions of this agreement", "18. Signatures",
]


def test_every_section_and_its_content_is_in_the_pdf() -> None:
    text = _squash(" ".join(_pages(render_ipa(sample()))))
    for heading in SECTIONS:
        assert heading in text
    for expected in (
        # parties
        "Cyngor Sir Ynys Môn", "Council Offices, Llangefni", "Siân Ŵyn-Roberts", "Brightpath Care Ltd", "SC123456",
        "Oak House, 3 Lôn Las", "Framework (North Wales)",
        # child, placement
        "Zoë Żółkiewska", "02/04/2011", "CASE-0042", "Full care order", "Children's home", "09/03/2026",
        "08/03/2027",
        # fees: each line weekly and annual (x52), the total, the partners' shares in money and percent
        "£4,500.00", "£234,000.00", "£320.50", "£4,820.50", "£250,666.00", "Social care", "70%", "£3,374.35",
        "Education", "30%", "£1,446.15",
        # terms
        "four-weekly in arrears", "28 days' written notice", "monthly placement report", "School attendance",
        "01/06/2026", "Ysgol David Hughes", "supersedes every earlier version",
        "Signed for and on behalf of Cyngor Sir Ynys Môn", "Signed for and on behalf of Brightpath Care Ltd",
    ):
        assert expected in text, expected


def test_header_and_footer_on_every_page() -> None:
    pages = _pages(render_ipa(sample()))
    for number, page in enumerate(pages, start=1):
        assert "Individual Placement Agreement" in page and "Cyngor Sir Ynys Môn" in page
        assert "Agreement IPA-PLC-7F3A-0001 · Version 1" in page
        assert f"Page {number} of {len(pages)}" in page


def test_long_fee_table_and_special_conditions_flow_onto_more_pages() -> None:
    short = len(_pages(render_ipa(sample())))
    lines = tuple(FeeLine("Additional support", f"Extra session {n}", 1000 + n) for n in range(80))
    conditions = "\n\n".join(f"Condition {n}: " + "the provider will keep a written record. " * 6 for n in range(40))
    pages = _pages(render_ipa(sample(fee_lines=lines, special_conditions=conditions)))
    assert len(pages) >= short + 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    text = _squash(" ".join(pages))
    assert "Extra session 79" in text and "Condition 39:" in text
    # The fee table's header row repeats on the page it continues onto.
    assert sum("Annual equivalent" in page for page in pages) >= 3


def test_a_name_in_several_scripts_prints_without_boxes() -> None:
    name = "Gwenllïan Ŵyn Łucja Żaneta Śmigielska محمد علي"
    pdf = render_ipa(sample(child_name=name))
    text = unicodedata.normalize("NFKC", " ".join(_pages(pdf)))
    assert "Gwenllïan Ŵyn Łucja Żaneta Śmigielska" in text
    # Arabic is drawn shaped and right to left; a reader gives back the name as typed.
    assert "محمد علي" in text


def test_the_embedded_fonts_cover_the_names_and_arabic_gets_its_own_font() -> None:
    pdf = render_ipa(sample(child_name="Rahel محمد"))
    reader = PdfReader(io.BytesIO(pdf))
    names = {str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in n for n in names) and any("NotoSansArabic" in n for n in names)


def test_characters_no_font_has_print_as_question_marks_not_boxes() -> None:
    fontset = fonts.register_fonts()
    assert fonts.runs("Li 漢", fontset) == [(fontset.regular, "Li ?")]
    assert "?" in " ".join(_pages(render_ipa(sample(child_known_as="漢字"))))


def test_arabic_letters_take_their_joined_forms() -> None:
    shaped = fonts.shape_arabic("محمد")
    # Initial meem, medial hah, medial meem, final dal, drawn right to left.
    assert shaped == "\ufeaa\ufee4\ufea4\ufee3"
    assert fonts.shape_arabic("لا") == "\ufefb"


def test_two_empty_signature_fields_are_ready_and_the_agreement_is_labelled() -> None:
    pdf = render_ipa(sample())
    assert signature_field_names(pdf) == [LA_FIELD, PROVIDER_FIELD]
    assert document_keywords(pdf) == "placedesk-agreement:IPA-PLC-7F3A-0001;version:1"


def test_later_versions_list_earlier_ones_and_the_reason() -> None:
    text = _squash(" ".join(_pages(render_ipa(sample(version=2, change_reason="Extra 1:1 hours agreed",
                                                     history=(earlier_version(),))))))
    assert "This is version 2" in text and "Extra 1:1 hours agreed" in text and "Superseded" in text
    assert "Version 2" in text


def test_a_council_clause_file_replaces_the_default(tmp_path: Path) -> None:
    (tmp_path / "notice_period.txt").write_text("Notice is {notice_period_days} days in Anglesey.", encoding="utf-8")
    clauses = load_clauses(tmp_path)
    assert clauses["notice_period"] == "Notice is {notice_period_days} days in Anglesey."
    assert "Council will pay" in clauses["payment_terms"]
    text = _squash(" ".join(_pages(render_ipa(sample(clauses=clauses, notice_period_days=42)))))
    assert "Notice is 42 days in Anglesey." in text


def test_clause_placeholders_never_break_a_document() -> None:
    assert fill_clause("{la_name} and {unknown}", {"la_name": "Powys"}) == "Powys and {unknown}"
    assert fill_clause("a stray { brace", {}) == "a stray { brace"


def test_without_the_shipped_fonts_pdfs_still_print_in_helvetica(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fonts, "FONT_DIR", tmp_path)
    fallback = fonts._register()
    assert (fallback.regular, fallback.embedded, fallback.arabic) == ("Helvetica", False, None)
    # Latin-1 names print as they are; anything else is a visible '?' rather than a crash.
    assert fonts.runs("Zoë Łucja", fallback) == [("Helvetica", "Zoë ?ucja")]
    assert fonts.runs("محمد", fallback)[0][0] == "Helvetica"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_splits_into_runs_the_fonts_can_draw(text: str) -> None:
    fontset = fonts.register_fonts()
    for font, run in fonts.runs(text, fontset):
        chars = fontset.arabic_chars if font == fontset.arabic else fontset.regular_chars
        assert all(ord(c) in chars or c in "\n\t? " for c in run)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_council_clause_never_stops_a_document(text: str) -> None:
    assert isinstance(fill_clause(text, {"la_name": "Powys", "version": 2}), str)


def test_key_contacts_needs_education_health_family_time_and_delegated_authority_are_printed() -> None:
    text = _squash(" ".join(_pages(render_ipa(sample()))))
    for expected in (
        "Key contacts", "Social worker", "Ffion Hughes", "Team manager", "Gareth Price",
        "Independent Reviewing Officer", "Nia Lloyd", "Virtual school", "Dewi Owen",
        "Emotional and behavioural", "Weekly therapeutic sessions with the home's psychologist",
        "Going missing", "Missing-from-care protocol; waking night staff",
        "Ysgol David Hughes, Year 10", "No EHCP", "Ynys Môn Virtual School",
        "Bodnant Surgery, Bangor", "North Wales CAMHS, fortnightly", "Review health assessment due 01/05/2026",
        "Supervised family time with mother every other Saturday",
        "Who may give consent", "Haircuts", "Carer or home manager", "School trips and holidays abroad",
        "Social worker's manager",
    ):
        assert expected in text, expected


def test_additional_services_list_each_non_core_line_with_its_fee_and_who_funds_it() -> None:
    text = _squash(" ".join(_pages(render_ipa(sample()))))
    assert "Additional services" in text
    assert "1:1 support, 10 hours: £320.50 a week (additional support; shared by the agreed shares)" in text


def test_the_first_review_date_is_the_earliest_review_date_entered() -> None:
    # review_date 06/04/2026 and review_dates 01/06/2026: the first is 06/04/2026, and section 14 lists both.
    text = _squash(" ".join(_pages(render_ipa(sample()))))
    assert "First review date 06/04/2026" in text
    assert "At the first statutory review" not in text
    no_placement_review = _squash(" ".join(_pages(render_ipa(sample(review_date=None,
        review_dates=(dt.date(2027, 7, 4), dt.date(2027, 2, 4)))))))
    assert "First review date 04/02/2027" in no_placement_review
    assert no_placement_review.index("04/02/2027", no_placement_review.index("14. Review dates")) < \
        no_placement_review.index("04/07/2027", no_placement_review.index("14. Review dates"))


def test_the_council_date_line_is_blank_until_signed_then_shows_the_signing_date() -> None:
    unsigned = _squash(_pages(render_ipa(sample()))[-1])
    assert "Date 05/03/2026" not in unsigned
    signed = _squash(_pages(render_ipa(sample(council_signed_on=dt.date(2026, 3, 5))))[-1])
    assert "Date 05/03/2026" in signed


def test_a_kpi_target_of_one_reads_in_the_singular() -> None:
    assert quantity(1, "incidents") == "1 incident"
    assert quantity(2, "incidents") == "2 incidents"
    assert quantity(0, "incidents") == "0 incidents"
    assert quantity(95, "%") == "95%"
    assert quantity(1, "") == "1"
    assert quantity(1, "class") == "1 class"


def test_a_line_funded_by_one_partner_says_so_and_a_partner_with_no_share_shows_its_own_lines() -> None:
    data = sample(
        fee_lines=(FeeLine("Core fee", "Core weekly fee", 450000),
                   FeeLine("Education", "Education", 65050, "Education", core=False)),
        funding_shares=(FundingShare("Social care", 10000, 450000), FundingShare("Education", 0, 65050)),
    )
    text = _squash(" ".join(_pages(render_ipa(data))))
    assert "Own lines only" in text
    assert "£650.50" in text and "£33,826.00" in text  # 65050 x 52 = 3,382,600 pence
    assert "£1,170.10" not in text


def test_the_same_data_renders_the_same_layout_and_a_change_does_not() -> None:
    from placedesk.reports.ipa import same_layout

    first = render_ipa(sample())
    time.sleep(1.1)  # the signature-field update stamps the modification time to the second
    assert same_layout(first, render_ipa(sample()))
    assert not same_layout(render_ipa(sample()), render_ipa(sample(council_signed_on=dt.date(2026, 3, 5))))


def test_a_long_table_never_leaves_one_row_alone_on_a_page() -> None:
    lines = tuple(FeeLine("Core fee", f"Extra session {n}", 1000 + n) for n in range(60))
    pages = _pages(render_ipa(sample(fee_lines=lines)))
    with_rows = [p for p in pages if "Extra session" in p]
    assert len(with_rows) >= 2
    for page in with_rows:
        # Each page holding part of the table holds at least two of its rows (or the total).
        assert len(re.findall(r"Extra session \d+", page)) + ("Total weekly fee" in page) >= 2
