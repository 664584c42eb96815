"""adhocd's TOML reader against Python's tomllib: on the toml-test documents, the TOML shown in the
repository (docs, examples, commands.d), generated documents and their mutants, both must
accept the same documents with the same values, and refuse the same ones.

adhocd's side is printed by the TOMLToJSON test helper (Tests/TOMLToJSON, built by `swift
build`); tomllib's by tomljson.py, in the same tagged JSON. Deliberate differences, each
documented in docs/architecture.md ("The TOML reader"):
- integers beyond 64 bits are refused (TOML asks for an error; Python's integers are unbounded);
- fractions of seconds are kept to the nanosecond (tomllib keeps microseconds; compared there);
- a byte order mark at the start is skipped (toml-test counts it valid; tomllib refuses it);
- arrays, inline tables and key paths nest at most 128 deep (as toml-test recommends).

TOML_DIFF_SEED and TOML_DIFF_COUNT choose other or more generated documents (make test uses
the defaults, which are fixed so a failure reproduces).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import tomljson  # noqa: E402

SEED = int(os.environ.get("TOML_DIFF_SEED", "20261127"))
COUNT = int(os.environ.get("TOML_DIFF_COUNT", "1500"))


def swift_reader() -> Path:
    path = Path(os.environ.get("TOML_TO_JSON", REPO / ".build" / "debug" / "TOMLToJSON"))
    if not path.exists():
        pytest.fail(f"{path} not found: run `swift build` first (make test does)")
    return path


def read_with_adhocd(paths: list[Path]) -> dict[str, dict]:
    """What adhocd's reader makes of each file, by path."""
    completed = subprocess.run(
        [str(swift_reader())], input="\n".join(str(path) for path in paths) + "\n",
        capture_output=True, text=True, timeout=300, check=True)
    results = [json.loads(line) for line in completed.stdout.split("\n") if line]
    return {result["file"]: result for result in results}


class Comparison:
    """Both readers run on the same files."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.adhocd = read_with_adhocd(paths)
        self.problems: list[str] = []
        self.accepted_by_tomllib = 0
        for path in paths:
            self.problems += self.compare(path)

    def accepted_by_adhocd(self, path: Path) -> bool:
        return "error" not in self.adhocd[str(path)]

    def compare(self, path: Path) -> list[str]:
        ours = self.adhocd[str(path)]
        try:
            expected = tomljson.read(path.read_bytes())
        except tomljson.Refused as refusal:
            return [f"{path.name}: tomllib refuses ({refusal}), adhocd accepts"] if "error" not in ours else []
        self.accepted_by_tomllib += 1
        if tomljson.exceeds_int64(expected):
            return [f"{path.name}: an integer beyond 64 bits is accepted"] if "error" not in ours else []
        if "error" in ours:
            return [f"{path.name}: tomllib accepts, adhocd refuses: {ours['error']}"]
        found = tomljson.difference(expected, ours["value"])
        return [f"{path.name}: values differ at {found}"] if found else []


def report(problems: list[str], total: int) -> str:
    shown = "\n".join(problems[:40])
    return f"{len(problems)} of {total} documents diverge:\n{shown}"


def test_toml_test_suite():
    """The TOML 1.0 documents of toml-test: valid ones accepted with tomllib's values, invalid
    ones refused by both."""
    corpus = HERE / "toml-test"
    paths = sorted(corpus.rglob("*.toml"))
    assert len(paths) > 700
    comparison = Comparison(paths)
    problems = comparison.problems
    # The suite's own verdict holds too.
    for path in paths:
        valid = path.relative_to(corpus).parts[0] == "valid"
        if valid != comparison.accepted_by_adhocd(path):
            problems.append(f"{path.relative_to(corpus)}: toml-test says {'valid' if valid else 'invalid'}, adhocd disagrees")
    assert not problems, report(problems, len(paths))


def repository_documents(directory: Path) -> list[Path]:
    """The TOML files and the ```toml blocks of the docs, each block as a file of its own."""
    paths = [path for pattern in ("packaging/*.toml", "commands.d/*.toml") for path in REPO.glob(pattern)]
    for markdown in sorted([*REPO.glob("docs/*.md"), REPO / "README.md", REPO / "commands.d" / "README.md"]):
        for index, block in enumerate(re.findall(r"```toml\n(.*?)```", markdown.read_text(), flags=re.S)):
            path = directory / f"{markdown.stem}-{index}.toml"
            path.write_text(block)
            paths.append(path)
    return paths


def test_repository_documents(tmp_path):
    """Every configuration the project shows: both accept it, with the same values."""
    paths = repository_documents(tmp_path)
    assert len(paths) >= 5
    comparison = Comparison(paths)
    refused = [f"{path.name}: refused" for path in paths if not comparison.accepted_by_adhocd(path)]
    assert not comparison.problems and not refused, report(comparison.problems + refused, len(paths))


def test_generated_documents_and_mutants(tmp_path):
    """Random documents (every kind of key, table, string, number and date-time) and single or
    double mutations of them and of the collected ones."""
    sources = [path.read_text(errors="replace") for path in sorted((HERE / "toml-test" / "valid").rglob("*.toml"))]
    documents = generate.documents(SEED, COUNT, 2 * COUNT, sources)
    paths = []
    for name, text in documents:
        path = tmp_path / f"{name}.toml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        paths.append(path)
    comparison = Comparison(paths)
    assert not comparison.problems, report(comparison.problems, len(paths))
    # Both sides of the grammar are covered.
    assert len(paths) // 4 < comparison.accepted_by_tomllib < len(paths) * 3 // 4, comparison.accepted_by_tomllib
