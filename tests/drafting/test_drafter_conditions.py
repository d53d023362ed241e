"""Duties whose wording leaves something to the text around them: who "it" is, what a start date dates, what
an amending clause adds to another order, a heading a converter broke."""

import datetime as dt

from directives import deadlines
from directives.drafting import draft
from tests.drafting.test_drafter import by_ref

D = deadlines
HEADER = """Executive Order 99021 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

"""


def test_a_pronoun_after_a_condition_is_the_office_the_condition_names():
    d = draft(
        HEADER
        + """Sec. 5. Permits. (a) The Director of the Bureau of Land Management shall, within 30 days of the
date of this order, review pending permits.

(b) If the Administrator of the Environmental Protection Agency finds that a permit is incomplete, it shall
notify the applicant.

(c) If the Secretary of Energy determines that a permit is complete, he shall, within 45 days after
making that determination, approve it.
"""
    )

    got = by_ref(d)
    assert got["5(b)"].leads == ("EPA",)  # not dropped for want of a named subject
    assert (got["5(c)"].leads, got["5(c)"].rule.kind) == (("DOE",), D.RuleKind.DAYS_FROM_EVENT)


def test_the_date_to_initiate_a_process_is_not_the_date_of_the_work_inside_it():
    d = draft(
        HEADER
        + """Sec. 3. Rules. (a) Within 30 days of the date of this order, the Secretary of Labor shall
initiate a process to revise the wage rules.

(i) As part of the revised rules, the Secretary of Commerce shall identify the affected industries.

(b) Within 60 days of the date of this order, the Secretary of Labor shall publish a schedule.

(i) The Secretary of Commerce shall comment on the schedule.
"""
    )

    got = by_ref(d)
    assert got["3(a)"].due_on == dt.date(2026, 4, 2)
    assert got["3(a)(i)"].rule == D.NoDeadline()  # 30 days to start, not to finish
    assert got["3(b)(i)"].due_on == dt.date(2026, 5, 2)  # a dated duty still dates its items


def test_text_added_to_a_named_section_of_another_order_is_that_order_s_under_that_section():
    d = draft(
        HEADER
        + """Sec. 7. Amendments. (a) Section 4-201 of Executive Order 99001, as amended by section 3 of
Executive Order 99002, is further amended by adding the following at the end:

\u201c(f) Reports. The Secretary of Transportation shall, no later than June 30, 2027, publish a report.

(g) Data. The Secretary of Transportation shall publish the data the report uses.\u201d

(b) Section 4-202(b) of Executive Order 99001 is amended to read as follows:

\u201c(b) Review. The Attorney General shall review the program by December 31, 2026.\u201d
"""
    )

    amends = {(a.order, a.directive): a for a in d.amends}
    assert amends[(99001, "4-201(f)")].rule == D.OnDate(dt.date(2027, 6, 30))
    assert amends[(99001, "4-201(f)")].leads == ("DOT",)
    assert amends[(99001, "4-202(b)")].rule == D.OnDate(dt.date(2026, 12, 31))
    assert "7(a)" not in by_ref(d) or by_ref(d)["7(a)"].rule == D.NoDeadline()


def test_a_quotation_of_several_paragraphs_opens_each_and_closes_only_the_last():
    d = draft(
        HEADER
        + """Sec. 2. Amendment. Section 1-101 of Executive Order 99001 is hereby amended to read as follows:
\u201c(a) There is established the Testing Council.
\u201c(b) The Testing Council shall meet quarterly.\u201d

Sec. 3. Reports. (a) Within 90 days of the date of this order, the Secretary of Labor shall report to the
President.
"""
    )

    got = by_ref(d)
    assert got["3(a)"].due_on == dt.date(2026, 6, 1)  # after the quotation: this order's own text
    assert [a.directive for a in d.amends] == ["1-101(b)"]


def test_a_title_s_last_word_on_a_bold_line_of_its_own_is_the_title_s():
    text = """# Executive Order 99101: Commuting

## Summary

**Date:** May 4, 2026

**Document Details:**
- Executive Order Number: 99101

---

## Executive Order 99101

### Authority

By the authority vested in me as President, it is hereby ordered:
### Section 2. Agencies in the Capital

**Area**

Federal agencies in the National Capital Region shall adopt a transit program by no later than October 1,
2026.

### Section 3. Judicial

**Review**

This order is not intended to create any right.
"""
    got = by_ref(draft(text, filename="order.fr.md"))

    assert got["2"].leads == ("NCR-AGENCIES",)
    assert got["2"].rule == D.OnDate(dt.date(2026, 10, 1))


def test_a_recurrence_in_what_a_dated_product_is_to_do_is_the_product_s_not_the_item_s_deadline():
    d = draft(
        HEADER
        + """Sec. 4. Standards. (a) Within 90 days of the date of this order, the Secretary of Labor shall
revise the apprenticeship standards to:

(i) reduce the paperwork of sponsors; and

(ii) provide for review and revision at least every 3 years.

(b) The Secretary of Labor shall:

(i) within 60 days of the date of this order, publish a schedule; and

(ii) report annually to the President.
"""
    )

    got = by_ref(d)
    assert got["4(a)(ii)"].due_on == dt.date(2026, 6, 1)  # the revised standards provide for the reviews
    assert "every 3 years" in got["4(a)(ii)"].review
    assert got["4(b)(ii)"].rule.kind == D.RuleKind.RECURRING  # a duty of its own that recurs
    assert not [u for u in d.unplaced if "every 3 years" in u.sentence]
