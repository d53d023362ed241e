"""Short order texts written for the drafter's tests, in the shapes real orders take (never the corpus)."""

# Modelled on EO 14409's shape: lettered duties with 30-day deadlines, a department acting through its
# component with consulted offices, a lead-in whose deadline and joint leads govern its items, an ongoing
# duty without a deadline, and general provisions that are not directives. Wrapped as whitehouse.gov wraps.
SHAPE_OF_14409 = """---
date: '2026-03-03'
source_url: https://www.whitehouse.gov/presidential-actions/2026/03/testing-the-drafter/
title: Testing the Drafter of Orders
---

By the authority vested in me as President by the Constitution and the
laws of the United States of America, it is hereby ordered:

<span style="text-decoration: underline">Section</span>
<span style="text-decoration: underline">1</span>.
 <span style="text-decoration: underline">Purpose</span>.  Orders should be
tracked.  It is the policy of the United States to track them.

<span style="text-decoration: underline">Sec</span>.
<span style="text-decoration: underline">2</span>.
 <span style="text-decoration: underline">Upgrading Systems</span>.  (a)  Within 30 days of the
date of this order, the Committee on National Security Systems shall prioritize the defense of
National Security Systems.

\\(b\\)  Within 30 days of the date of this order, the Secretary of War
shall prioritize the defense of Department of War systems.

(c)  Within 30 days of the date of this order, the Secretary of Homeland
Security, through the Director of the Cybersecurity and Infrastructure
Security Agency (CISA), in consultation with the Director of the Office
of Management and Budget (OMB), the Assistant to the President for
National Security Affairs, and the National Cyber Director, shall
release guidance as appropriate to:

(i)    expedite the defense of civilian systems;

\\(ii\\)   establish Federal programs that enhance defensive tools; and

\\(iii\\)  facilitate access to cybersecurity tools.

\\(d\\)  Within 60 days of the date of this order, the Director of the
Office of Personnel Management shall expand hiring pathways.

<span style="text-decoration: underline">Sec</span>.
<span style="text-decoration: underline">3</span>.
 <span style="text-decoration: underline">Secure Deployment</span>.  Within 60 days of the date
of this order, the Secretary of the Treasury, the Secretary of War, through the Director of
NSA, and the Secretary of Homeland Security, through the Director of
CISA, in consultation with the National Cyber Director and the Secretary
of Commerce, through the Director of the National Institute of Standards
and Technology, and in coordination with other agencies, as appropriate,
shall:

\\(a\\)  develop and maintain a classified benchmarking process.  Such a
determination shall be made by the Director of NSA.

\\(b\\)  design a voluntary framework through which developers would be
able to:

(i)    engage the Federal Government; and

(ii)   provide access for up to 30 days before a release.

(c)  Nothing in this section shall be construed to create a licensing
requirement.

<span style="text-decoration: underline">Sec</span>.
<span style="text-decoration: underline">4</span>.
 <span style="text-decoration: underline">Enforcement</span>.  The Attorney General shall prioritize the
enforcement of 18 U.S.C. 1030 against anyone who misuses AI.

<span style="text-decoration: underline">Sec</span>.
<span style="text-decoration: underline">5</span>.
 <span style="text-decoration: underline">General Provisions</span>.
 (a)  This order shall be implemented consistent with applicable law.

\\(b\\)  The costs for publication of this order shall be borne by the
Department of War.

                             DONALD J. TRUMP

THE WHITE HOUSE,

    March 3, 2026.
"""

# A plain-text order as the Federal Register prints it, with the deadline families, chained and recurring
# deadlines, a paragraph with two deadlines and phrases wrapped across lines.
PLAIN = """Executive Order 99001 of March 3, 2026

Improving the Testing of Orders

By the authority vested in me as President by the Constitution and the laws of the United States of
America, it is hereby ordered as follows:

Sec. 2. Deadlines. (a) Within 6 months of the date of this order, the Secretary of Energy shall publish a
plan.

(b) Within 1 year of the date of this order, the Administrator of General Services shall issue guidance.

(c) By December 31, 2026, the Secretary of the Interior shall identify sites.

(d) Within 90 days of the publication of the plan described in subsection (a) of this section, the
Secretary of Labor shall review the plan.

(e) Within 60 days of the date of this order, and annually thereafter, the Director of OMB shall report
to the President.

(f) The Director of the Office of Personnel Management shall provide reports every 60 days after the date
of this order until the program is complete.

(g) Within 45 days of the date of this order, the Secretary of Commerce, acting through the Director of
NIST, in consultation with the Attorney General and in coordination with the Secretary of State, shall
publish a definition. Within 1 year of the date of this order, the Secretary of Commerce, acting through
the Director of NIST, shall publish a report on its use.

(h) Within thirty days of this order, the Secretary of Defense and the Secretary of Energy shall jointly
consult suppliers.

(i) Within 90 days of the date of this order, the Secretary of Widgets shall count the widgets.

(j) The Secretary of Transportation shall review the guidelines described in subsection (b) of this
section within 30 days of their issuance.

THE WHITE HOUSE,
March 3, 2026.
"""

# An order that amends and revokes earlier ones, as EO 14306 does.
AMENDING = """Executive Order 99002 of June 6, 2026

By the authority vested in me as President by the Constitution and the laws of the United States of
America, it is hereby ordered:

Section 1. Revocation. Executive Order 99000 of January 16, 2026 (Doing Things), is hereby revoked.

Sec. 2. Amendments to Executive Order 99001. Executive Order 99001 of March 3, 2026 (Improving the Testing
of Orders), is hereby amended by:

(a) striking subsections 2(a)-(b);

(b) striking subsection 2(c) and inserting, in lieu thereof, the following:

\u201c(c) By December 1, 2026, the Secretary of the Interior, acting through the Director of the Bureau of
Land Management, shall identify sites and publish a preliminary list of them. Within 120 days of
publishing the preliminary list, the Secretary of the Interior shall publish a final list.\u201d;

(c) striking subsection 2(e) and inserting, in lieu thereof, the following:

\u201c(e) Within 1 year of the date of this order, the Director of OMB shall report to the
President.\u201d; and

(d) striking from subsection 2(d) the word \u201cplan\u201d.
"""

# A national security memorandum: its number in the heading, "the date of this memorandum".
SECURITY_MEMORANDUM = """NATIONAL SECURITY MEMORANDUM/NSM-99

MEMORANDUM FOR THE SECRETARY OF STATE
               THE SECRETARY OF ENERGY

SUBJECT:       Testing the Drafter on Memoranda

Section 1.  Policy.  It is the policy of the United States to test drafters.

Sec. 2.  Duties.  (a)  Within 90 days of the date of this memorandum, the Secretary of Energy
shall submit a report to the President.

(b)  Not later than 1 year after the date of this memorandum, the Secretary of State shall
publish guidance.
"""

# A presidential memorandum: no number at all.
PRESIDENTIAL_MEMORANDUM = """---
title: Memorandum on Testing the Drafter
date: '2026-02-10'
---

MEMORANDUM FOR THE HEADS OF EXECUTIVE DEPARTMENTS AND AGENCIES

By the authority vested in me as President by the Constitution and the laws of the United States of
America, I hereby direct as follows:

Section 1.  Reports.  Within 60 days of the date of this memorandum, the Attorney General shall
submit a report to the President.
"""

# A proclamation: recitals (numbered "1.", quoting an earlier duty), then clauses "(1)", one a bullet.
PROCLAMATION = """BY THE PRESIDENT OF THE UNITED STATES OF AMERICA

A PROCLAMATION

1.  In Proclamation 9999, the Secretary of Commerce shall have reported within 30 days of the
date of that proclamation.

NOW, THEREFORE, I, the President of the United States of America, by the authority vested in me,
do hereby proclaim as follows:

-   \\(1\\) The tariffs of Proclamation 9999 continue.

(2)  By October 1, 2026, the Secretary of Commerce shall report to the President on imports.

(3)  Within 90 days after the date of this proclamation, the Secretary of Commerce shall
establish a process for exclusions.

IN WITNESS WHEREOF, I have hereunto set my hand this second day of March, in the year of our Lord
two thousand twenty-six.
"""

# An older Federal Register shape: a part divider, three-digit sections titled on the heading's line.
OLDER_FEDERAL_REGISTER = """# Executive Order 13999: Testing Older Shapes

**Date:** March 3, 2000

Executive Order 13999 of March 3, 2000

By the authority vested in me as President, it is hereby ordered as follows:

PART 3 ORGANIZATION AND ACCOUNTABILITY

### Section 305. Policies

(a) Within 60 days of the date of this order, the Secretary of Energy shall issue guidance.

(b) The Administrator of General Services shall, within 120 days of the date of this order, report.

PART 4 IMPLEMENTATION

### Section 401. Reporting

The Secretary of Energy shall report annually.
"""
