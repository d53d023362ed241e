"""The order drafter: from a presidential document's text to a draft order file, pure Python (no Django).

``draft(text, filename=..., number=..., signed_on=...)`` reads the text in whichever format it comes
(``readers``), builds its paragraph tree (``tree``), finds who shall do what by when (``phrases``,
``actors``, ``clauses``, ``builder``) and writes the draft (``writer``). The result loads unedited with
``directives.orderfile.parse_order_file``; every directive carries its source excerpt, and a ``review``
note where the drafter was unsure.
"""

from .draft import KINDS, DraftError, draft
from .drafts import Draft, DraftedAmend, DraftedDirective
from .unplaced import Unplaced

__all__ = ["KINDS", "Draft", "DraftError", "DraftedAmend", "DraftedDirective", "Unplaced", "draft"]
