"""The Debian package: its layout, control data and maintainer scripts, and that what it
installs works. Uses $ADHOCD_DEB when set (make test builds the package once), else runs
packaging/build-deb (a release build: minutes)."""

import os
import re
import stat
from pathlib import Path

import pytest

from support import REPO, package_under_test, require_tools, run, verify_unit, write_config

# Path in the package → mode. Directories are listed where their mode matters.
EXPECTED_FILES = {
    "usr/bin/adhocd": 0o755,
    "lib/systemd/system/adhocd.service": 0o644,
    "usr/lib/systemd/user/adhocd.service": 0o644,
    "etc/adhocd/adhocd.toml": 0o640,
    "usr/share/man/man8/adhocd.8.gz": 0o644,
    "usr/share/man/man5/adhocd.toml.5.gz": 0o644,
    "usr/share/man/man5/adhocd.commands.5.gz": 0o644,
    "usr/share/doc/adhocd/README.md": 0o644,
    "usr/share/doc/adhocd/copyright": 0o644,
    "usr/share/doc/adhocd/examples/50-adhocd.rules": 0o644,
}
EXPECTED_DIRECTORIES = {"etc/adhocd": 0o750, "etc/adhocd/commands.d": 0o750}


@pytest.fixture(scope="session")
def deb(tmp_path_factory) -> Path:
    return package_under_test(tmp_path_factory)


def unpack(command: str, option: str, deb: Path, directory: Path) -> Path:
    result = run(command, option, deb, directory)
    assert result.returncode == 0, result.stderr
    return directory


@pytest.fixture(scope="session")
def installed(deb, tmp_path_factory) -> Path:
    """The package unpacked into a scratch root (`dpkg -x`), as `dpkg -i` would lay it out."""
    return unpack("dpkg", "-x", deb, tmp_path_factory.mktemp("root"))


@pytest.fixture(scope="session")
def control(deb, tmp_path_factory) -> Path:
    """The control archive: control, conffiles, md5sums and the maintainer scripts."""
    return unpack("dpkg-deb", "-e", deb, tmp_path_factory.mktemp("control"))


def listing(deb) -> dict[str, tuple[str, str]]:
    """`dpkg-deb -c`: path → (permissions, owner/group)."""
    result = run("dpkg-deb", "-c", deb)
    assert result.returncode == 0, result.stderr
    entries = {}
    for line in result.stdout.splitlines():
        permissions, owner, _size, _date, _time, path = line.split(None, 5)
        entries[path.removeprefix("./").rstrip("/")] = (permissions, owner)
    return entries


def mode_string(mode: int, directory: bool) -> str:
    return stat.filemode(mode | (stat.S_IFDIR if directory else stat.S_IFREG))


def commands_d_files() -> list[str]:
    return sorted(path.name for path in (REPO / "commands.d").iterdir() if path.is_file())


def test_lists_every_file_with_its_mode_owned_by_root(deb):
    entries = listing(deb)
    for path, mode in EXPECTED_FILES.items():
        assert path in entries, f"{path} is not in the package"
        assert entries[path] == (mode_string(mode, False), "root/root"), path
    for path, mode in EXPECTED_DIRECTORIES.items():
        assert entries[path] == (mode_string(mode, True), "root/root"), path
    for name in commands_d_files():
        mode = 0o755 if os.access(REPO / "commands.d" / name, os.X_OK) else 0o644
        assert entries[f"etc/adhocd/commands.d/{name}"] == (mode_string(mode, False), "root/root"), name
    # Nothing of the build or of the Swift toolchain slipped in.
    assert not [path for path in entries if ".build" in path or "swift" in path.lower()]


def test_control_fields(deb, adhocd):
    fields = {name: run("dpkg-deb", "-f", deb, name).stdout.strip() for name in ("Package", "Version", "Architecture", "Depends")}
    assert fields["Package"] == "adhocd"
    assert fields["Version"] == run(adhocd, "--version").stdout.strip()
    assert fields["Architecture"] == run("dpkg", "--print-architecture").stdout.strip()
    depends = [item.split()[0] for item in fields["Depends"].split(", ")]
    for package in ("libc6", "libxml2", "libdbus-1-3", "adduser"):
        assert package in depends, fields["Depends"]
    # The Swift runtime is linked in: no dependency on a toolchain package.
    assert not [package for package in depends if "swift" in package]


def test_conffiles_and_maintainer_scripts(control):
    conffiles = (control / "conffiles").read_text().split()
    assert conffiles == sorted(["/etc/adhocd/adhocd.toml"] + [f"/etc/adhocd/commands.d/{name}" for name in commands_d_files()])
    for script in ("postinst", "prerm", "postrm"):
        path = control / script
        assert path.stat().st_mode & 0o777 == 0o755, script
        assert run("sh", "-n", path).returncode == 0, script
    md5sums = (control / "md5sums").read_text()
    assert "usr/bin/adhocd" in md5sums and "etc/adhocd" not in md5sums


def test_commands_d_scripts_stay_executable_and_nothing_is_writable_but_by_root(installed, tmp_path):
    """Definitions come in two forms: TOML files and executable scripts. adhocd refuses files
    that others may write, and cannot run a script that lost its executable bit."""
    require_tools("dpkg-deb", "dpkg-shlibdeps", "strip")
    source = tmp_path / "commands.d"
    source.mkdir()
    (source / "uptime.toml").write_text('name = "Uptime"\n')
    script = source / "journal.sh"
    script.write_text("#!/bin/sh\n# adhocd:begin\n# adhocd:end\n")
    script.chmod(0o775)
    built = run(REPO / "packaging" / "build-deb", "--binary", installed / "usr" / "bin" / "adhocd",
                "--commands-d", source, "--output", tmp_path / "dist")
    assert built.returncode == 0, built.stderr
    entries = listing(Path(built.stdout.strip()))
    assert entries["etc/adhocd/commands.d/journal.sh"] == ("-rwxr-xr-x", "root/root")
    assert entries["etc/adhocd/commands.d/uptime.toml"] == ("-rw-r--r--", "root/root")
    control = unpack("dpkg-deb", "-e", Path(built.stdout.strip()), tmp_path / "control")
    assert "/etc/adhocd/commands.d/journal.sh" in (control / "conffiles").read_text().split()


def test_the_binary_runs_from_the_unpacked_tree(installed):
    binary = installed / "usr" / "bin" / "adhocd"
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", run(binary, "--version").stdout)
    linked = run("ldd", binary).stdout
    assert "libswiftCore" not in linked and "not found" not in linked, linked


def test_the_shipped_configuration_checks_out(installed, tmp_path):
    binary = installed / "usr" / "bin" / "adhocd"
    config = write_config(tmp_path, (installed / "etc" / "adhocd" / "adhocd.toml").read_text())
    result = run(binary, "check", "--config", config)
    assert result.returncode == 0, result.stderr


def test_the_packaged_units_verify(installed, tmp_path):
    binary = installed / "usr" / "bin" / "adhocd"
    man = installed / "usr" / "share" / "man"
    verify_unit(installed / "lib" / "systemd" / "system" / "adhocd.service", binary, man, tmp_path)
    verify_unit(installed / "usr" / "lib" / "systemd" / "user" / "adhocd.service", binary, man, tmp_path, user=True)


def test_the_packaged_man_pages_render(installed):
    require_tools("man")
    for page in ("man8/adhocd.8.gz", "man5/adhocd.toml.5.gz", "man5/adhocd.commands.5.gz"):
        shown = run("man", "-l", installed / "usr" / "share" / "man" / page, env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
        assert shown.returncode == 0 and "SEE ALSO" in re.sub(".\x08", "", shown.stdout), page


def run_postinst(control: Path, scratch: Path, statuses: dict[str, int], *args: str) -> list[str]:
    """Runs postinst with every command it uses replaced by a recorder that exits with
    `statuses[name]` (default 0), so nothing on this machine changes; returns the calls."""
    shims = scratch / "bin"
    shims.mkdir()
    calls = scratch / "calls"
    calls.touch()
    for name in ("adduser", "chown", "chmod", "install", "systemctl", "dpkg-statoverride", "getent"):
        shim = shims / name
        shim.write_text(f'#!/bin/sh\necho "{name} $*" >> "{calls}"\nexit {statuses.get(name, 0)}\n')
        shim.chmod(0o755)
    result = run("sh", control / "postinst", *args, env={"PATH": f"{shims}:/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return calls.read_text().splitlines()


def test_postinst_creates_the_user_and_guards_the_configuration(control, tmp_path):
    # No user adhocd yet (getent finds none), no dpkg-statoverride entries.
    recorded = run_postinst(control, tmp_path, {"getent": 2, "dpkg-statoverride": 1}, "configure", "")
    assert "adduser --system --group --quiet --home /var/lib/adhocd --no-create-home --gecos adhocd XMPP command bot adhocd" in recorded
    for expected in (
        "chown root:adhocd /etc/adhocd", "chmod 0750 /etc/adhocd",
        "chown root:adhocd /etc/adhocd/adhocd.toml", "chmod 0640 /etc/adhocd/adhocd.toml",
        "install -d -o adhocd -g adhocd -m 0750 /var/lib/adhocd /var/log/adhocd",
    ):
        assert expected in recorded
    # The user exists before anything is given to it.
    assert recorded.index(next(call for call in recorded if call.startswith("adduser"))) < recorded.index("chown root:adhocd /etc/adhocd")


def test_postinst_leaves_an_existing_user_and_overrides_alone(control, tmp_path):
    recorded = "\n".join(run_postinst(control, tmp_path, {}, "configure", "0.0.9"))
    assert "adduser" not in recorded and "chown" not in recorded and "chmod" not in recorded
