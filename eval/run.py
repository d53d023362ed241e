"""Measure the order drafter against hand-written answer keys: `make eval-import` (eval/README.md).

For each key in eval/keys/ and each of its texts in the corpus (../shared/eo-corpus, or EO_CORPUS):
precision and recall of dated deadlines (ref, rule and due date all right), of lead agencies, and of the
undated (chained, event, recurring without a start) deadlines; EO 14409 also field by field against the
shipped directives/orders/eo-14409.toml; and the time to draft the longest text, as a ratio to one pass of
a compiled regular expression over it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directives import deadlines  # noqa: E402
from directives.drafting import Draft, draft, phrases  # noqa: E402
from directives.orderfile import parse_order_file  # noqa: E402

KEYS = ROOT / "eval" / "keys"
SHIPPED_14409 = ROOT / "directives" / "orders" / "eo-14409.toml"
GOAL_DATED = 0.95
GOAL_LEADS = 0.90


def corpus_dir() -> Path:
    return Path(os.environ.get("EO_CORPUS") or ROOT.parent / "shared" / "eo-corpus")


@dataclass
class Score:
    order: int
    text: str
    dated_tp: int = 0
    dated_predicted: int = 0
    dated_key: int = 0
    leads_right: int = 0
    leads_key: int = 0
    lead_pairs_tp: int = 0
    lead_pairs_predicted: int = 0
    lead_pairs_key: int = 0
    undated_tp: int = 0
    undated_key: int = 0
    seconds: float = 0.0
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
    def meets_goals(self) -> bool:
        return self.precision >= GOAL_DATED and self.recall >= GOAL_DATED and self.leads >= GOAL_LEADS


def _items(d: Draft) -> dict[tuple[int, str], tuple[deadlines.Rule, dt.date | None, tuple[str, ...]]]:
    items = {(d.order.number, x.ref): (x.rule, x.due_on, x.leads) for x in d.directives}
    items.update({(a.order, a.directive): (a.rule, a.due_on, a.leads) for a in d.amends})
    return items


def score(key: dict, name: str, d: Draft, seconds: float) -> Score:
    own = key["order"]["number"]
    s = Score(order=own, text=name, seconds=seconds)
    items = _items(d)
    predicted_dated = {
        k: v for k, v in items.items() if deadlines.is_dated_by_order(v[0]) and v[1] is not None
    }
    s.dated_predicted = len(predicted_dated)
    key_dated = {}
    for entry in key.get("deadlines", []):
        ref = (entry.get("order", own), entry["ref"])
        key_dated[ref] = (deadlines.rule_from_dict(entry["rule"]), entry["due"], tuple(entry["leads"]))
    s.dated_key = len(key_dated)
    for ref, (rule, due, leads) in key_dated.items():
        got = predicted_dated.get(ref)
        if got and got[0] == rule and got[1] == due:
            s.dated_tp += 1
        else:
            found = f"{got[0].describe()} ({got[1]})" if got else "missing"
            s.misses.append(f"  miss  {ref[0]} {ref[1]}: want {rule.describe()} ({due}), got {found}")
        s.leads_key += 1
        s.lead_pairs_key += len(leads)
        predicted_leads = items.get(ref, (None, None, ()))[2]
        s.lead_pairs_predicted += len(predicted_leads)
        s.lead_pairs_tp += len(set(leads) & set(predicted_leads))
        if tuple(predicted_leads) == leads:
            s.leads_right += 1
        else:
            s.misses.append(f"  lead  {ref[0]} {ref[1]}: want {list(leads)}, got {list(predicted_leads)}")
    for ref, (rule, due, _) in predicted_dated.items():
        if ref not in key_dated:
            s.misses.append(f"  extra {ref[0]} {ref[1]}: {rule.describe()} ({due})")
    for entry in key.get("undated", []):
        ref = (entry.get("order", own), entry["ref"])
        want = deadlines.rule_from_dict(entry["rule"])
        got_rule = items.get(ref, (None, None, ()))[0]
        s.undated_key += 1
        if got_rule is not None and _same_undated(want, got_rule):
            s.undated_tp += 1
        else:
            found = got_rule.describe() if got_rule else "missing"
            s.misses.append(f"  undated {ref[0]} {ref[1]}: want {want.describe()}, got {found}")
    for entry in key.get("revokes", []):
        drafted = {(r.order, x) for r in d.revokes for x in r.directives}
        wanted = {(entry["order"], x) for x in entry.get("directives", [])}
        if drafted != wanted:
            s.misses.append(f"  revokes: want {sorted(wanted)}, got {sorted(drafted)}")
    return s


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


def speed(corpus: Path) -> tuple[str, float, float]:
    """Return the longest text's name, the seconds to draft it and to run one compiled regex over it."""
    longest = max(corpus.glob("*.md"), key=lambda p: p.stat().st_size)
    text = longest.read_text(encoding="utf-8")
    pattern = re.compile(r"within\s+\d+\s+days\s+of\s+the\s+date\s+of\s+this\s+order", re.IGNORECASE)
    best_draft = best_regex = float("inf")
    for _ in range(5):
        phrases._find.cache_clear()  # each run drafts from scratch; only the catalog stays loaded
        start = time.perf_counter()
        draft(text, filename=longest.name, number=14000)
        best_draft = min(best_draft, time.perf_counter() - start)
        start = time.perf_counter()
        pattern.findall(text)
        best_regex = min(best_regex, time.perf_counter() - start)
    return longest.name, best_draft, best_regex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    corpus = corpus_dir()
    if not corpus.is_dir():
        print(f"eval-import: no corpus at {corpus} (set EO_CORPUS to the folder of order texts).")
        print("Nothing measured.")
        return 0
    scores: list[Score] = []
    shipped_problems: list[str] = []
    for key_path in sorted(KEYS.glob("*.toml")):
        key = tomllib.loads(key_path.read_text(encoding="utf-8"))
        number = key["order"]["number"]
        for name in key["order"]["texts"]:
            path = corpus / name
            if not path.exists():
                print(f"eval-import: {name} is not in {corpus}; skipped.")
                continue
            text = path.read_text(encoding="utf-8")
            start = time.perf_counter()
            d = draft(text, filename=name, number=number if ".wh." in name else None)
            seconds = time.perf_counter() - start
            parse_order_file(d.toml)  # the draft must load unedited
            scores.append(score(key, name, d, seconds))
            if number == 14409:
                shipped_problems += compare_shipped(d)

    header = ("text", "dated", "prec.", "recall", "leads", "pairs P/R", "undated", "ms")
    print("{:<18} {:>6} {:>7} {:>7} {:>7} {:>11} {:>8} {:>6}".format(*header))
    for s in scores:
        pair_precision = Score.ratio(s.lead_pairs_tp, s.lead_pairs_predicted)
        pairs = f"{pair_precision:.0%}/{Score.ratio(s.lead_pairs_tp, s.lead_pairs_key):.0%}"
        print(
            f"{s.text:<18} {s.dated_key:>6} {s.precision:>7.1%} {s.recall:>7.1%} {s.leads:>7.1%} {pairs:>11} "
            f"{s.undated_tp:>3}/{s.undated_key:<4} {s.seconds * 1000:>6.0f}"
        )
        if args.verbose:
            for miss in s.misses:
                print(miss)
    print()
    if shipped_problems:
        print("EO 14409 against directives/orders/eo-14409.toml: DIFFERENT")
        for p in shipped_problems:
            print(f"  {p}")
    else:
        print(
            "EO 14409 against directives/orders/eo-14409.toml: same refs, leads, consulted, rules and parents"
        )
    name, drafting, regex = speed(corpus)
    print(
        f"Speed: {name} ({len((corpus / name).read_text(encoding='utf-8')):,} characters) drafted in "
        f"{drafting * 1000:.0f} ms, {drafting / regex:,.0f} times one pass of a compiled regex "
        f"({regex * 1e6:.0f} µs)"
    )
    failed = [s for s in scores if not s.meets_goals]
    if failed or shipped_problems or drafting >= 1.0:
        print(
            f"Goals (>= {GOAL_DATED:.0%} dated precision and recall, >= {GOAL_LEADS:.0%} leads right, "
            "EO 14409 as shipped, under 1 s): NOT MET for " + ", ".join(s.text for s in failed)
        )
        return 1
    print(
        f"Goals met: >= {GOAL_DATED:.0%} dated precision and recall, >= {GOAL_LEADS:.0%} leads right, "
        "on every text; EO 14409 as shipped; under 1 s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
