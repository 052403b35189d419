"""The one-way order of the feature packages (../shared/design.md, docs/architecture.md) is checked, not only
drawn: a package imports only those above it, core imports no feature and not the app's extensions, and no
view or operation commits (the request and each CLI command do, in core/transactions.py)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "survey_app"
ORDER = ["core", "accounts", "forms_engine", "rounds", "responses", "review", "reports", "admin", "demo"]
IMPORT = re.compile(r"^\s*(?:from|import) survey_app\.(\w+)", re.M)


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def test_every_feature_package_has_its_place_in_the_order():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.glob("*.py"))}
    assert packages == set(ORDER)


def test_imports_flow_one_way():
    against = []
    for rank, package in enumerate(ORDER):
        below = set(ORDER[rank + 1 :]) | ({"extensions"} if package == "core" else set())
        for path in _modules(package):
            for used in IMPORT.findall(path.read_text(encoding="utf-8")):
                if used in below:
                    against.append(f"{path.relative_to(PACKAGE)} imports survey_app.{used}")
    assert against == []


def test_no_view_or_operation_commits():
    commits = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if ".commit()" in path.read_text(encoding="utf-8") and path.name != "transactions.py"
    ]
    assert commits == []
