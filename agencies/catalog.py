"""The catalog of federal agencies, shipped as data (``agencies/catalog/*.toml``); pure, no Django.

The order drafter resolves the actors an order names ("the Secretary of Commerce", "the Director of the
National Security Agency", "the APST") to agencies through it. The format is in
``agencies/catalog/README.md``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"

# The catalog's finer categories, and the kind an order file writes for each until order files know more
# (directives/orders/README.md: department, component, committee, eop_office).
CATEGORY_KINDS = {
    "department": "department",
    "component": "component",
    "eop_office": "eop_office",
    "independent_agency": "department",
    "council": "committee",
    "committee": "committee",
    "group": "committee",
}
# Abbreviations that are plain words in an order's text, so they are not aliases ("the State", "WHO").
_WORD_ABBREVIATIONS = frozenset({"STATE", "TREASURY", "ARMY", "NAVY", "AGENCIES", "WHO", "ED", "VA"})

# The heads of an office, as "<head> of <office>" or "<office> <head>" name them.
HEADS = (
    "secretary",
    "deputy secretary",
    "under secretary",
    "assistant secretary",
    "director",
    "deputy director",
    "administrator",
    "deputy administrator",
    "chair",
    "chairman",
    "chairperson",
    "chairwoman",
    "commissioner",
    "chief",
    "chief executive officer",
    "ceo",
    "head",
    "heads",
    "president",
    "executive director",
    "commandant",
    "archivist",
    "members",
    "agency members",
    "member agencies",
    "representatives",
)
_HEAD_OF = re.compile(rf"^(?:{'|'.join(sorted(HEADS, key=len, reverse=True))}) of (?:the )?(?P<org>.+)$")
_ORG_HEAD = re.compile(rf"^(?P<org>.+?) (?:{'|'.join(sorted(HEADS, key=len, reverse=True))})$")
# The office's words end at its title ("officer", "officer for civil rights and civil liberties"), not at a
# clause about it ("agency official designated by the director").
_OFFICER = re.compile(
    r"\b(?:officer|official|counsel|inspector general|ombudsman)(?: (?:for|on) [a-z ,'-]+)?$"
)
_NOT_A_TITLE = re.compile(r"\b(?:by|under|designated|named|appointed|each|every|all)\b")
# Qualifiers after an office that do not change who acts: "the Director of the NSA as the National Manager
# ...", "heads of agencies that possess loan authorities", "the Director of OMB with respect to non-NSS".
_QUALIFIER = re.compile(r"\s(?:as the|as|that|who|which|with respect to|in (?:his|her|their) capacity)\s")


class CatalogError(ValueError):
    """The catalog's data is inconsistent; the message names the file, agency and field."""


@dataclass(frozen=True)
class CatalogAgency:
    abbreviation: str
    name: str
    category: str
    parent: str = ""
    titles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """Return the agency kind an order file writes for this agency."""
        return CATEGORY_KINDS[self.category]

    @property
    def is_group(self) -> bool:
        return self.category == "group"


def normalize(phrase: str) -> str:
    """Return ``phrase`` as the catalog indexes it: lower case, plain quotes, single spaces, no "the"."""
    text = phrase.replace("\u2019", "'").replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text).strip(" ,;:.").lower()
    text = re.sub(r"^(?:and|or) ", "", text)
    text = re.sub(r"^the ", "", text)
    return text.replace("u.s. ", "united states ")


class Catalog:
    """The agencies, indexed by abbreviation and by every name and title that acts for them."""

    def __init__(self, agencies: list[CatalogAgency]):
        self.agencies = {a.abbreviation: a for a in agencies}
        self._titles: dict[str, CatalogAgency] = {}
        self._names: dict[str, CatalogAgency] = {}
        for a in agencies:
            for title in a.titles:
                self._titles.setdefault(normalize(title), a)
            names = [a.name, *a.aliases]
            if a.abbreviation not in _WORD_ABBREVIATIONS:
                names.append(a.abbreviation)
            for name in names:
                self._names.setdefault(normalize(name), a)
                # "National Security Council (Assistant to ...)": the name before the note names it too.
                self._names.setdefault(normalize(name.split(" (")[0]), a)

    def group_of_members(self, qualifier: str) -> CatalogAgency | None:
        """Return the group whose ``members`` phrase the qualifier of a group subject names ("operating
        NSS", "in the National Capital Region", "procuring"), or None when no group of the catalog is meant.
        """
        text = normalize(qualifier)
        for a in self.agencies.values():
            for phrase in a.members:
                if re.search(rf"(?<![\w-]){re.escape(normalize(phrase))}s?(?![\w-])", text):
                    return a
        return None

    def __contains__(self, abbreviation: str) -> bool:
        return abbreviation in self.agencies

    def get(self, abbreviation: str) -> CatalogAgency:
        return self.agencies[abbreviation]

    def lineage(self, abbreviation: str) -> list[CatalogAgency]:
        """Return the agency and the agencies above it, nearest first."""
        chain: list[CatalogAgency] = []
        step = abbreviation
        while step and step in self.agencies and all(a.abbreviation != step for a in chain):
            chain.append(self.agencies[step])
            step = self.agencies[step].parent
        return chain

    def resolve(self, phrase: str) -> CatalogAgency | None:
        """Return the agency that the office or body ``phrase`` names, or None if the catalog lacks it.

        "the Secretary of Homeland Security" (a title), "the Director of the National Security Agency" and
        "the OMB Director" (a head of a named office), "the FAR Council" (a name), "the head of each agency"
        (a group), "the Director of AISI at NIST" (the first that resolves).
        """
        key = normalize(phrase)
        if not key:
            return None
        found = self._lookup(key)
        if found is not None:
            return found
        # Drop a qualifier that does not change who acts, then try each part of "X at Y" / "X within Y".
        qualified = _QUALIFIER.split(f" {key} ", maxsplit=1)[0].strip()
        if qualified and qualified != key:
            found = self._lookup(qualified)
            if found is not None:
                return found
        for separator in (" at ", " within ", " in "):
            if separator in qualified:
                for part in qualified.split(separator):
                    found = self._lookup(normalize(part))
                    if found is not None:
                        return found
        # A deputy acts for the office of the officer it deputizes: "the Principal Deputy National Security
        # Advisor" (NSC), "the Deputy Secretary of Homeland Security" (DHS).
        deputy = re.match(r"^(?:principal |first )?deputy (?P<office>.{6,})$", qualified)
        if deputy:
            return self.resolve(deputy.group("office"))
        # An officer of a department acts for it: "the Officer for Civil Rights and Civil Liberties of DHS",
        # "the General Counsel of the Department of Defense".
        for of in re.finditer(r" of (?:the )?", qualified):
            office, org = qualified[: of.start()], qualified[of.end() :]
            if _OFFICER.search(office) and not _NOT_A_TITLE.search(office):
                found = self._names.get(org) or self._titles.get(org)
                if found is not None and not found.is_group:
                    return found
        return None

    def _lookup(self, key: str) -> CatalogAgency | None:
        found = self._titles.get(key) or self._names.get(key)
        if found is not None:
            return found
        head_of = _HEAD_OF.match(key)
        if head_of:
            org = normalize(head_of.group("org"))
            found = self._names.get(org) or self._titles.get(org)
            if found is not None:
                return found
        org_head = _ORG_HEAD.match(key)
        if org_head:
            return self._names.get(normalize(org_head.group("org")))
        return None


_FIELDS = {"abbreviation", "name", "category", "parent", "titles", "aliases", "members"}


def _read(path: Path) -> list[CatalogAgency]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path.name}: not valid TOML: {exc}") from None
    agencies = []
    for index, raw in enumerate(data.get("agencies", [])):
        where = f"{path.name}: agencies[{raw.get('abbreviation', index)}]"
        unknown = sorted(set(raw) - _FIELDS)
        if unknown:
            raise CatalogError(f"{where}.{unknown[0]}: unknown field")
        for key in ("abbreviation", "name", "category"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise CatalogError(f"{where}.{key}: missing")
        if raw["category"] not in CATEGORY_KINDS:
            raise CatalogError(
                f"{where}.category: {raw['category']!r} is not one of {', '.join(CATEGORY_KINDS)}"
            )
        if raw.get("members") and raw["category"] != "group":
            raise CatalogError(f"{where}.members: only a group has members")
        if len(raw["abbreviation"]) > 20:
            raise CatalogError(f"{where}.abbreviation: at most 20 characters")
        agencies.append(
            CatalogAgency(
                abbreviation=raw["abbreviation"],
                name=raw["name"],
                category=raw["category"],
                parent=raw.get("parent", ""),
                titles=tuple(raw.get("titles", ())),
                aliases=tuple(raw.get("aliases", ())),
                members=tuple(raw.get("members", ())),
            )
        )
    return agencies


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Return the catalog read from every ``*.toml`` file of ``directory``, checked for consistency."""
    agencies: list[CatalogAgency] = []
    for path in sorted(directory.glob("*.toml")):
        agencies.extend(_read(path))
    seen: set[str] = set()
    for a in agencies:
        if a.abbreviation in seen:
            raise CatalogError(f"agencies[{a.abbreviation}]: defined twice")
        seen.add(a.abbreviation)
    for a in agencies:
        if a.parent and a.parent not in seen:
            raise CatalogError(f"agencies[{a.abbreviation}].parent: unknown agency {a.parent!r}")
    return Catalog(agencies)


@functools.cache
def default_catalog() -> Catalog:
    """Return the shipped catalog, read once per process."""
    return load_catalog()
