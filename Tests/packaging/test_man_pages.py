"""The man pages: they render cleanly, and stay in step with docs/configuration.md and the code.

When a branch adds a configuration key or a subcommand, these tests fail until adhocd.toml(5),
adhocd(8) and the tables of docs/configuration.md say what it does."""

import gzip
import re
from pathlib import Path

import pytest

from support import REPO, require_tools, run

MAN = REPO / "packaging" / "man"
PAGES = [MAN / "adhocd.8", MAN / "adhocd.toml.5", MAN / "adhocd.commands.5"]


def man_text(page: Path) -> str:
    """roff source with escapes that matter for matching undone."""
    return page.read_text().replace("\\-", "-").replace("\\(dq", '"')


def man_sections(page: Path) -> dict[str, list[str]]:
    """Keys of each configuration section: `.SH "[name]"`, then `.TP` / `.B key` items."""
    sections: dict[str, list[str]] = {}
    current = None
    lines = man_text(page).splitlines()
    for index, line in enumerate(lines):
        if line.startswith(".SH"):
            title = line[3:].strip().strip('"')
            current = title if title.startswith("[") else None
            if current:
                sections[current] = []
        elif current and line == ".TP" and lines[index + 1].startswith(".B "):
            sections[current].append(lines[index + 1][3:].strip())
    return sections


def reference_sections() -> dict[str, list[str]]:
    """Keys of each table under a `## `[name]`` heading of docs/configuration.md."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in (REPO / "docs" / "configuration.md").read_text().splitlines():
        heading = re.fullmatch(r"#+ `(\[.*\])`", line)
        if heading:
            current = heading.group(1)
            sections[current] = []
        elif line.startswith("#"):
            current = None
        elif current and line.startswith("| `"):
            # A row may name several keys: | `allow`, `deny` | …
            sections[current] += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return sections


def render(page: Path) -> str:
    """What `man -l` shows, without the overstrike bold and underline."""
    shown = run("man", "-l", page, env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    return re.sub(".\x08", "", shown.stdout)


def keys_read_by_the_code() -> set[str]:
    """Every key a configuration reader asks for by name: `try section.string("key")` and the
    like (ConfigSection's readers throw; reading submitted form values does not)."""
    pattern = re.compile(r'try [A-Za-z_.]+\.(?:string|requiredString|integer|seconds|number|bool|stringList|section|tables|value)\("([A-Za-z_-]+)"')
    # Pairs of limits read by name stem: threshold(&section, "load", …) reads load_warning and load_critical.
    thresholds = re.compile(r'threshold\(&section, "([a-z_]+)"')
    keys = set()
    for source in REPO.glob("Sources/**/*.swift"):
        text = source.read_text()
        keys.update(pattern.findall(text))
        keys.update(f"{stem}_{level}" for stem in thresholds.findall(text) for level in ("warning", "critical"))
    return keys


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_renders_without_warnings(page):
    require_tools("groff", "man")
    result = run("groff", "-man", "-Tutf8", "-ww", "-z", page)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    shown = render(page)
    assert "NAME" in shown and "SEE ALSO" in shown


def test_every_documented_table_is_in_the_man_page_and_the_reference():
    reference = reference_sections()
    man = man_sections(MAN / "adhocd.toml.5")
    assert reference, "no configuration tables found in docs/configuration.md"
    assert set(reference) == set(man), "sections differ between docs/configuration.md and adhocd.toml(5)"
    for section, keys in reference.items():
        assert sorted(keys) == sorted(man[section]), f"keys of {section} differ between docs/configuration.md and adhocd.toml(5)"


def test_every_key_the_code_reads_is_documented_and_no_other():
    """In adhocd.toml(5), or in another page of packaging/man for another file format."""
    keys = set()
    tables = set()
    for page in MAN.iterdir():
        sections = man_sections(page)
        keys |= {key for section_keys in sections.values() for key in section_keys}
        # Tables are read as keys of the table above them.
        tables |= {part for title in sections for part in re.findall(r"[a-z_]+", title)}
    read = keys_read_by_the_code()
    missing = read - keys - tables
    assert not missing, f"keys the code reads but no man page documents: {sorted(missing)}"
    stale = keys - read
    assert not stale, f"keys a man page documents but the code no longer reads: {sorted(stale)}"


def subcommands(adhocd, *path: str) -> list[str]:
    text = run(adhocd, *path, "--help").stdout
    block = text.split("SUBCOMMANDS:", 1)[1] if "SUBCOMMANDS:" in text else ""
    return re.findall(r"^  ([a-z][a-z-]*) ", block, flags=re.MULTILINE)


def test_every_subcommand_and_option_is_in_adhocd_8(adhocd):
    page = man_text(MAN / "adhocd.8")
    commands_section = page.split(".SH COMMANDS", 1)[1].split(".SH ", 1)[0]
    names = [[name] for name in subcommands(adhocd)]
    for name in list(names):
        names += [[name[0], nested] for nested in subcommands(adhocd, *name)]
    assert ["run"] in names and ["check"] in names and ["commands"] in names and ["dbus", "introspect"] in names
    for path in names:
        help_text = run(adhocd, *path, "--help").stdout
        if "SUBCOMMANDS:" in help_text:
            continue
        assert f".B {' '.join(path)}\n" in commands_section, f"adhocd {' '.join(path)} is not described under COMMANDS"
        for option in set(re.findall(r"^  (?:-\w, )?(--[a-z-]+)", help_text, flags=re.MULTILINE)):
            assert option in page, f"adhocd {' '.join(path)} {option} is not in adhocd(8)"


def test_the_version_matches(adhocd):
    version = run(adhocd, "--version").stdout.strip()
    for page in PAGES:
        assert f'"adhocd {version}"' in page.read_text().splitlines()[next(
            index for index, line in enumerate(page.read_text().splitlines()) if line.startswith(".TH"))]


def test_gzip_of_a_page_still_renders(tmp_path):
    """The package ships the pages gzipped; man reads them so."""
    require_tools("man")
    compressed = tmp_path / "adhocd.8.gz"
    compressed.write_bytes(gzip.compress((MAN / "adhocd.8").read_bytes()))
    assert "adhocd check" in render(compressed)
