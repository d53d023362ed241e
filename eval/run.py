"""Measure the order drafter against hand-written answer keys: `make eval-import` (eval/README.md).

For each key in eval/keys/ and each of its texts (found in eval/corpus/, else in ../shared/eo-corpus or
EO_CORPUS): precision and recall of dated deadlines (ref, rule and due date all right), exact citations,
lead agencies, undated deadlines and the sentences the draft leaves unplaced; per text, per document
shape (kind, and the era of an executive order) and per source (Federal Register or whitehouse.gov).
EO 14409 also field by field against the shipped directives/orders/eo-14409.toml; and the time to
draft the longest text, as a ratio to one pass of a compiled regular expression over it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directives import deadlines  # noqa: E402
from directives.drafting import Draft, DraftError, draft, phrases  # noqa: E402
from directives.orderfile import OrderFileError, parse_order_file  # noqa: E402
from tests.drafting.rerender import RENDERINGS, as_html  # noqa: E402

KEYS = ROOT / "eval" / "keys"
OWN_CORPUS = ROOT / "eval" / "corpus"
SHIPPED_14409 = ROOT / "directives" / "orders" / "eo-14409.toml"
KINDS = ("executive_order", "national_security_memorandum", "presidential_memorandum", "proclamation")
# The goals of issue 20, on every shape and source; and no text below FLOOR on any of its figures.
GOAL_DATED = 0.95
GOAL_LEADS = 0.95
GOAL_CITATIONS = 0.90
FLOOR = 0.85
# Executive orders signed before this year are "older": the Federal Register's earlier layouts
# ("PART 3--" dividers, "Section 305." headings with their text on the same line).
NEW_ERA = 2010


def corpus_dir() -> Path:
    return Path(os.environ.get("EO_CORPUS") or ROOT.parent / "shared" / "eo-corpus")


def find_text(name: str, shared: Path) -> Path | None:
    for folder in (OWN_CORPUS, shared):
        if (folder / name).is_file():
            return folder / name
    return None


def source_of(name: str) -> str:
    """Return "fr" (the Federal Register's XML or its Markdown), "wh" (whitehouse.gov) or "other"."""
    if ".fr." in name or name.endswith(".xml"):
        return "fr"
    if ".wh." in name or name.endswith((".html", ".htm")):
        return "wh"
    return "other"


def shape_of(order: dict) -> str:
    kind = order.get("kind", "executive_order")
    if kind != "executive_order":
        return kind
    signed = order.get("signed_on")
    return (
        "executive_order (before 2010)" if signed and signed.year < NEW_ERA else "executive_order (2010 on)"
    )


def document_of(key_path: Path, order: dict) -> str:
    """Return the document's name: kind and number where it has one, else the key's file name."""
    kind = order.get("kind", "executive_order")
    number = order.get("number")
    labels = {"executive_order": "EO", "national_security_memorandum": "NSM", "proclamation": "Proc."}
    if number and kind in labels:
        return f"{labels[kind]} {number}"
    return key_path.stem


@dataclass
class Score:
    document: str
    text: str
    shape: str
    source: str
    dated_tp: int = 0
    dated_predicted: int = 0
    dated_key: int = 0
    cited: int = 0
    cited_key: int = 0
    leads_right: int = 0
    leads_key: int = 0
    undated_tp: int = 0
    undated_key: int = 0
    unplaced: int = 0
    seconds: float = 0.0
    error: str = ""
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self.ratio(self.dated_tp, self.dated_predicted)

    @property
    def recall(self) -> float:
        return self.ratio(self.dated_tp, self.dated_key)

    @property
    def leads(self) -> float:
        return self.ratio(self.leads_right, self.leads_key)

    @property
    def citations(self) -> float:
        return self.ratio(self.cited, self.cited_key)

    @property
    def lowest(self) -> float:
        return min(self.precision, self.recall, self.leads, self.citations)


Item = tuple[deadlines.Rule, dt.date | None, tuple[str, ...]]
OWN = 0  # the order's own directives, whatever its number (a memorandum has none)


def _items(d: Draft) -> dict[tuple[int, str], Item]:
    items: dict[tuple[int, str], Item] = {(OWN, x.ref): (x.rule, x.due_on, x.leads) for x in d.directives}
    items.update({(a.order, a.directive): (a.rule, a.due_on, a.leads) for a in d.amends})
    return items


def score(key: dict, s: Score, d: Draft | None) -> Score:
    """Fill ``s`` with the draft ``d`` (None: the drafter refused the text) against ``key``."""
    items = _items(d) if d is not None else {}
    s.unplaced = len(d.unplaced) if d is not None else 0
    for u in d.unplaced if d is not None else ():
        s.misses.append(f"  unplaced: {u.sentence[:110]} ({u.reason})")
    predicted_dated = {
        k: v for k, v in items.items() if deadlines.is_dated_by_order(v[0]) and v[1] is not None
    }
    s.dated_predicted = len(predicted_dated)
    key_dated = {}
    for entry in key.get("deadlines", []):
        ref = (entry.get("order", OWN), entry["ref"])
        key_dated[ref] = (deadlines.rule_from_dict(entry["rule"]), entry["due"], tuple(entry["leads"]))
    s.dated_key = len(key_dated)
    for ref, (rule, due, leads) in key_dated.items():
        got = predicted_dated.get(ref)
        if got and got[0] == rule and got[1] == due:
            s.dated_tp += 1
        else:
            found = f"{got[0].describe()} ({got[1]})" if got else "missing"
            s.misses.append(f"  miss  {_name(ref)}: want {rule.describe()} ({due}), got {found}")
        s.leads_key += 1
        predicted_leads = items.get(ref, (None, None, ()))[2]
        if tuple(predicted_leads) == leads:
            s.leads_right += 1
        else:
            s.misses.append(f"  lead  {_name(ref)}: want {list(leads)}, got {list(predicted_leads)}")
    for ref, (rule, due, _) in predicted_dated.items():
        if ref not in key_dated:
            s.misses.append(f"  extra {_name(ref)}: {rule.describe()} ({due})")
    for entry in key.get("undated", []):
        ref = (entry.get("order", OWN), entry["ref"])
        want = deadlines.rule_from_dict(entry["rule"])
        got_rule = items.get(ref, (None, None, ()))[0]
        s.undated_key += 1
        if got_rule is not None and _same_undated(want, got_rule):
            s.undated_tp += 1
        else:
            found = got_rule.describe() if got_rule else "missing"
            s.misses.append(f"  undated {_name(ref)}: want {want.describe()}, got {found}")
    # Exact citations: of every keyed deadline (dated or not), the share drafted under exactly its ref.
    keyed_refs = set(key_dated) | {(e.get("order", OWN), e["ref"]) for e in key.get("undated", [])}
    s.cited_key = len(keyed_refs)
    s.cited = len(keyed_refs & set(items))
    for entry in key.get("revokes", []):
        # Per order: a key may list several revoked orders, each compared with what was drafted for it.
        drafted = (
            {(r.order, x) for r in d.revokes if r.order == entry["order"] for x in r.directives}
            if d is not None
            else set()
        )
        wanted = {(entry["order"], x) for x in entry.get("directives", [])}
        if drafted != wanted:
            s.misses.append(f"  revokes: want {sorted(wanted)}, got {sorted(drafted)}")
    return s


def _name(ref: tuple[int, str]) -> str:
    return ref[1] if ref[0] == OWN else f"EO {ref[0]} {ref[1]}"


def _same_undated(want: deadlines.Rule, got: deadlines.Rule) -> bool:
    """Chained and recurring rules must agree; for event-relative ones the kind and the days suffice."""
    if isinstance(want, deadlines.Recurring) and isinstance(got, deadlines.Recurring):
        return (want.every_days, want.every_months) == (got.every_days, got.every_months) and (
            want.first.kind == got.first.kind
        )
    if isinstance(want, deadlines.DaysFromEvent) and isinstance(got, deadlines.DaysFromEvent):
        return want.days == got.days
    return want == got


def compare_shipped(d: Draft) -> list[str]:
    """Return every difference between the draft of EO 14409 and the shipped order file."""
    shipped = parse_order_file(SHIPPED_14409.read_text())
    drafted = parse_order_file(d.toml)
    problems = []
    ours = {x.ref: x for x in drafted.directives}
    theirs = {x.ref: x for x in shipped.directives}
    if set(ours) != set(theirs):
        problems.append(
            f"refs: extra {sorted(set(ours) - set(theirs))}, missing {sorted(set(theirs) - set(ours))}"
        )
    for ref in sorted(set(ours) & set(theirs)):
        a, b = ours[ref], theirs[ref]
        for attr in ("leads", "consulted", "rule", "parent"):
            if getattr(a, attr) != getattr(b, attr):
                problems.append(f"{ref}.{attr}: drafted {getattr(a, attr)!r}, shipped {getattr(b, attr)!r}")
    shipped_agencies = {a.abbreviation: a for a in shipped.agencies}
    for agency in drafted.agencies:
        other = shipped_agencies.get(agency.abbreviation)
        if other is not None and other != agency:
            problems.append(f"agency {agency.abbreviation}: drafted {agency}, shipped {other}")
    return problems


def speed(paths: Iterable[Path]) -> tuple[Path, float, float]:
    """Return the longest text, the seconds to draft it and to run one compiled regex over it."""
    longest = max(paths, key=lambda p: p.stat().st_size)
    text = longest.read_text(encoding="utf-8")
    pattern = re.compile(r"within\s+\d+\s+days\s+of\s+the\s+date\s+of\s+this\s+order", re.IGNORECASE)
    best_draft = best_regex = float("inf")
    for _ in range(5):
        phrases._find.cache_clear()  # each run drafts from scratch; only the catalog stays loaded
        start = time.perf_counter()
        with contextlib.suppress(DraftError):  # a refusal takes its time too
            draft(text, filename=longest.name, number=14000, signed_on=dt.date(2000, 1, 1))
        best_draft = min(best_draft, time.perf_counter() - start)
        start = time.perf_counter()
        pattern.findall(text)
        best_regex = min(best_regex, time.perf_counter() - start)
    return longest, best_draft, best_regex


def _signature(d: Draft) -> list[tuple]:
    return sorted((x.ref, x.rule.describe(), x.due_on, x.leads) for x in d.directives) + sorted(
        (a.order, a.directive, a.rule.describe(), a.leads) for a in d.amends
    )


def metamorphic(drafted: list[tuple[str, str, int | None, Draft]]) -> dict[str, list[str]]:
    """Return, for each re-rendering (tests/drafting/rerender.py), the texts whose draft it changes."""
    changed: dict[str, list[str]] = {name: [] for name in [*RENDERINGS, "as HTML"]}
    for name, text, number, d in drafted:
        renderings = dict(RENDERINGS)
        if source_of(name) == "wh" and name.endswith(".md"):
            renderings["as HTML"] = as_html
        for rendering, render in renderings.items():
            filename = name.replace(".wh.md", ".html") if rendering == "as HTML" else name
            try:
                same = _signature(draft(render(text), filename=filename, number=number)) == _signature(d)
            except DraftError:
                same = False
            if not same:
                changed[rendering].append(name)
    return changed


def _total(scores: list[Score]) -> Score:
    total = Score(document="", text="", shape="", source="")
    for s in scores:
        for attr in (
            "dated_tp",
            "dated_predicted",
            "dated_key",
            "cited",
            "cited_key",
            "leads_right",
            "leads_key",
            "undated_tp",
            "undated_key",
            "unplaced",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(s, attr))
    return total


def _group_rows(scores: list[Score], attr: str) -> list[tuple[str, int, Score]]:
    groups: dict[str, list[Score]] = {}
    for s in scores:
        groups.setdefault(getattr(s, attr), []).append(s)
    return [(name, len({x.document for x in group}), _total(group)) for name, group in sorted(groups.items())]


def _meets(s: Score) -> bool:
    return (
        s.recall >= GOAL_DATED
        and s.precision >= GOAL_DATED
        and s.leads >= GOAL_LEADS
        and s.citations >= GOAL_CITATIONS
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--no-metamorphic", action="store_true", help="skip re-rendering every text (about 30 s)"
    )
    parser.add_argument(
        "--keys",
        nargs="+",
        metavar="NAME",
        help="score only these keys (file names without .toml), such as a set not yet tuned on",
    )
    args = parser.parse_args(argv)
    shared = corpus_dir()
    if not OWN_CORPUS.is_dir() and not shared.is_dir():
        print(f"eval-import: no corpus in {OWN_CORPUS} or {shared} (set EO_CORPUS to the folder of texts).")
        print("Nothing measured.")
        return 0
    scores: list[Score] = []
    texts: list[Path] = []
    drafted: list[tuple[str, str, int | None, Draft]] = []
    shipped_problems: list[str] = []
    for key_path in sorted(KEYS.glob("*.toml")):
        if args.keys and key_path.stem not in args.keys:
            continue
        key = tomllib.loads(key_path.read_text(encoding="utf-8"))
        order = key["order"]
        if order.get("kind", "executive_order") not in KINDS:
            print(f"eval-import: {key_path.name}: [order] kind {order.get('kind')!r} is not one of {KINDS}")
            return 2
        number = order.get("number")
        document = document_of(key_path, order)
        for name in order["texts"]:
            path = find_text(name, shared)
            if path is None:
                print(f"eval-import: {name} is in neither {OWN_CORPUS} nor {shared}; skipped.")
                continue
            texts.append(path)
            text = path.read_text(encoding="utf-8")
            s = Score(document=document, text=name, shape=shape_of(order), source=source_of(name))
            start = time.perf_counter()
            # As a user would: a whitehouse.gov page needs the number the Federal Register gave.
            given = number if source_of(name) == "wh" else None
            d: Draft | None
            try:
                d = draft(text, filename=name, number=given)
            except DraftError as exc:
                d, s.error = None, str(exc)
            s.seconds = time.perf_counter() - start
            if d is not None:
                drafted.append((name, text, given, d))
                try:
                    parse_order_file(d.toml)  # the draft must load unedited
                except OrderFileError as exc:
                    s.error = f"the draft does not load: {exc.problems[0]}"
            scores.append(score(key, s, d))
            if d is not None and number == 14409 and document == "EO 14409":
                shipped_problems += compare_shipped(d)
    if not scores:
        print("eval-import: no keyed text found. Nothing measured.")
        return 0

    header = ("text", "dated", "prec.", "recall", "cited", "leads", "undated", "unpl.", "ms")
    line = "{:<58} {:>5} {:>6} {:>6} {:>6} {:>6} {:>8} {:>5} {:>5}"
    print(line.format(*header))
    for s in scores:
        print(
            line.format(
                s.text[:58],
                s.dated_key,
                f"{s.precision:.0%}",
                f"{s.recall:.0%}",
                f"{s.citations:.0%}",
                f"{s.leads:.0%}",
                f"{s.undated_tp}/{s.undated_key}",
                s.unplaced,
                f"{s.seconds * 1000:.0f}",
            )
        )
        if s.error:
            print(f"  error: {s.error}")
        if args.verbose:
            for miss in s.misses:
                print(miss)
    print()
    failed_groups = []
    for attr, title in (("shape", "shape"), ("source", "source")):
        columns = ("docs", "dated", "prec.", "recall", "cited", "leads", "unpl.")
        print(f"{'per ' + title:<32} " + "{:>4} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5}".format(*columns))
        for name, documents, t in _group_rows(scores, attr):
            print(
                f"{name:<32} {documents:>4} {t.dated_key:>5} {t.precision:>6.1%} {t.recall:>6.1%} "
                f"{t.citations:>6.1%} {t.leads:>6.1%} {t.unplaced:>5}"
            )
            if not _meets(t):
                failed_groups.append(name)
        print()
    total = _total(scores)
    print(
        f"All {len({s.document for s in scores})} documents, {len(scores)} texts: "
        f"{total.dated_key} dated deadlines, "
        f"precision {total.precision:.1%}, recall {total.recall:.1%}, exact citations {total.citations:.1%}, "
        f"leads {total.leads:.1%}, undated {total.undated_tp}/{total.undated_key}, unplaced {total.unplaced}"
    )
    if shipped_problems:
        print("EO 14409 against directives/orders/eo-14409.toml: DIFFERENT")
        for p in shipped_problems:
            print(f"  {p}")
    elif any(s.document == "EO 14409" for s in scores):
        print(
            "EO 14409 against directives/orders/eo-14409.toml: same refs, leads, consulted, rules and parents"
        )
    longest, drafting, regex = speed(texts)
    print(
        f"Speed: {longest.name} ({len(longest.read_text(encoding='utf-8')):,} characters) drafted in "
        f"{drafting * 1000:.0f} ms, {drafting / regex:,.0f} times one pass of a compiled regex "
        f"({regex * 1e6:.0f} µs)"
    )
    changed: dict[str, list[str]] = {}
    if not args.no_metamorphic:
        changed = metamorphic(drafted)
        print(f"Metamorphic: of {len(drafted)} drafted texts, the same draft when re-rendered:")
        for rendering, names in changed.items():
            candidates = (
                len(drafted) if rendering != "as HTML" else sum(1 for n, *_ in drafted if ".wh." in n)
            )
            listed = f" (differs: {', '.join(names[:6])}{' ...' if len(names) > 6 else ''})" if names else ""
            print(f"  {rendering:<44} {candidates - len(names):>3}/{candidates}{listed}")
    below = [s.text for s in scores if s.lowest < FLOOR or s.error]
    goals = (
        f"Goals (>= {GOAL_DATED:.0%} dated precision and recall, >= {GOAL_LEADS:.0%} leads right, "
        f">= {GOAL_CITATIONS:.0%} exact citations on every shape and source; no text below {FLOOR:.0%} "
        "or refused; the same draft under every re-rendering; EO 14409 as shipped; under 1 s)"
    )
    if failed_groups or below or shipped_problems or drafting >= 1.0 or any(changed.values()):
        print(f"{goals}: NOT MET")
        if failed_groups:
            print("  shapes and sources below the goals: " + ", ".join(failed_groups))
        if below:
            print(f"  texts below {FLOOR:.0%} or refused: " + ", ".join(below))
        return 1
    print(f"{goals}: met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
