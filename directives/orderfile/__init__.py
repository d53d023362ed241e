"""Read and validate an order file (TOML). The format is documented in ``directives/orders/README.md``.

Validation is complete before anything is written: ``parse_order_file`` either returns an ``OrderSpec``
or raises ``OrderFileError`` listing every problem, each naming the item and the field.
"""

# The format's vocabulary and what a file reads as (``specs``), the checker that collects every
# problem (``checking``), the parser (``parsing``).
from .parsing import parse_order_file
from .specs import (
    AGENCY_FIELDS,
    AGENCY_KINDS,
    AMEND_FIELDS,
    DIRECTIVE_FIELDS,
    MAX_REF,
    MAX_TITLE,
    ORDER_FIELDS,
    ORDER_KINDS,
    POLICIES,
    REVOKE_FIELDS,
    SECTIONS,
    UNNUMBERED_KINDS,
    UNPLACED_FIELDS,
    AgencySpec,
    AmendSpec,
    DirectiveSpec,
    OrderFileError,
    OrderInfo,
    OrderSpec,
    RevokeSpec,
)

__all__ = [
    "AGENCY_FIELDS",
    "AGENCY_KINDS",
    "AMEND_FIELDS",
    "DIRECTIVE_FIELDS",
    "MAX_REF",
    "MAX_TITLE",
    "ORDER_FIELDS",
    "ORDER_KINDS",
    "POLICIES",
    "REVOKE_FIELDS",
    "SECTIONS",
    "UNNUMBERED_KINDS",
    "UNPLACED_FIELDS",
    "AgencySpec",
    "AmendSpec",
    "DirectiveSpec",
    "OrderFileError",
    "OrderInfo",
    "OrderSpec",
    "RevokeSpec",
    "parse_order_file",
]
