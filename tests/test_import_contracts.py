"""Every module of every package sits in a layer of an import contract (pyproject's [tool.importlinter]).

lint-imports checks the imports between the modules a contract names; a module no contract names is
checked by nothing. These tests fail when one is added without a place, or when a contract is loosened.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS: list[dict[str, Any]] = CONFIG["contracts"]


def children(package: Path) -> set[str]:
    """Return the names of the modules and packages directly inside ``package``."""
    names = {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
    names |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    return names


def packages() -> list[str]:
    """Return every package of the project's apps, dotted, but Django's generated migrations."""
    found = []
    for root in CONFIG["root_packages"]:
        for init in sorted((ROOT / root).rglob("__init__.py")):
            parts = init.parent.relative_to(ROOT).parts
            if "migrations" not in parts:
                found.append(".".join(parts))
    return found


def layered(container: str) -> set[str]:
    """Return the modules the layers contracts place inside ``container``, as names relative to it."""
    placed: set[str] = set()
    for contract in CONTRACTS:
        if contract["type"] != "layers" or contract.get("containers", []) != [container]:
            continue
        for layer in contract["layers"]:
            placed |= {name.strip() for name in re.split(r"[|:]", layer)}
    return placed


def test_every_root_package_is_a_layer_of_the_project():
    top = next(c for c in CONTRACTS if c["type"] == "layers" and "containers" not in c)
    assert set(top["layers"]) == set(CONFIG["root_packages"])


def test_every_module_of_every_package_is_placed_in_a_layer():
    unplaced = {}
    for package in packages():
        names = children(ROOT / package.replace(".", "/"))
        if len(names) < 2:
            continue  # a lone module is placed with its package
        missing = names - layered(package)
        if missing:
            unplaced[package] = sorted(missing)
    assert not unplaced, f"Place these modules in a layer of [tool.importlinter] (pyproject.toml): {unplaced}"


def test_no_contract_names_a_module_that_is_not_there():
    stale = {}
    for package in packages():
        extra = layered(package) - children(ROOT / package.replace(".", "/"))
        if extra:
            stale[package] = sorted(extra)
    assert not stale, f"These contracts name modules that no longer exist: {stale}"


def test_indirect_and_type_only_imports_count():
    assert CONFIG["exclude_type_checking_imports"] is False
    assert not [c["name"] for c in CONTRACTS if c.get("allow_indirect_imports")]


def test_the_ledger_names_no_table_of_the_apps_above_it():
    for path in (ROOT / "ledger").rglob("*.py"):
        if "migrations" not in path.parts:
            assert "directives_" not in path.read_text(), path


def test_the_directives_app_registers_its_append_only_tables_with_the_ledger():
    from ledger.pg import append_only_tables

    assert append_only_tables() == (
        "directives_directiveevent",
        "directives_evidencefile",
        "ledger_accessevent",
        "ledger_checkpoint",
    )
