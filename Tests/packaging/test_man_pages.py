"""The man pages: they render cleanly, and adhocd(8) describes every subcommand and option.

The configuration keys of adhocd.toml(5) and adhocd.commands(5) are written by `make docs` from
the keys the code declares; AdhocdKitTests' ConfigurationReferenceTests keep them current."""

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


def render(page: Path) -> str:
    """What `man -l` shows, without the overstrike bold and underline."""
    shown = run("man", "-l", page, env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    # The C locale shows ASCII: a character without an ASCII glyph would be a warning here.
    assert "warning" not in shown.stderr, shown.stderr
    return re.sub(".\x08", "", shown.stdout)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_renders_without_warnings(page):
    require_tools("groff", "man")
    result = run("groff", "-man", "-Tutf8", "-ww", "-z", page)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    shown = render(page)
    assert "NAME" in shown and "SEE ALSO" in shown
    # The generated key lists render as tagged paragraphs, a key's type and default first.
    if page.name == "adhocd.toml.5":
        assert re.search(r"^ +keepalive_interval\n +Seconds,\s+1\s+\.\.\.\s+3600;\s+default\s+60\.", shown, flags=re.MULTILINE), shown
    if page.name == "adhocd.commands.5":
        assert re.search(r"^ +var +Required;\s+string\.", shown, flags=re.MULTILINE), shown


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
