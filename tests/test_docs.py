"""The documents a person reads first: links that lead somewhere in the repository, paths
that can be copied, and the licence pyproject.toml names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _prose(path: Path) -> str:
    """The text outside fenced code blocks and double-backtick spans."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return re.sub(r"``.+?``", "", text)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_names_a_file_in_the_repository(document: Path) -> None:
    targets = re.findall(r"\]\(([^)\s]+)\)", _prose(document))
    broken = []
    for target in targets:
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (document.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    assert not broken, f"{document.name} links outside the repository or to nothing: {broken}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_no_path_is_broken_across_lines(document: Path) -> None:
    # a path in a code span split over two lines is shown, and copied, with a space in it
    spans = re.findall(r"`([^`]+)`", _prose(document))
    assert [span for span in spans if "\n" in span and "/" in span] == []


def test_the_licence_pyproject_names_is_in_the_repository() -> None:
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 OrchestratorChat Desktop contributors" in text
