"""The systemd units: verified by systemd-analyze, and holding what the README promises."""

import shlex

from support import (REPO, SYSTEM_UNIT, SYSTEM_UNIT_EXPOSURE_BOUND, USER_UNIT, exposure_score, man_tree, require_tools, run,
                     unit_directives, verify_unit, write_config)


def test_system_unit_verifies(adhocd, tmp_path):
    verify_unit(SYSTEM_UNIT, adhocd, man_tree(tmp_path / "man"), tmp_path)


def test_user_unit_verifies(adhocd, tmp_path):
    verify_unit(USER_UNIT, adhocd, man_tree(tmp_path / "man"), tmp_path, user=True)


def test_system_unit_is_sandboxed_as_promised():
    unit = unit_directives(SYSTEM_UNIT)
    expected = {
        "User": ["adhocd"], "Group": ["adhocd"], "NoNewPrivileges": ["yes"], "ProtectSystem": ["strict"],
        "ProtectHome": ["yes"], "PrivateTmp": ["yes"], "Restart": ["on-failure"], "RestartPreventExitStatus": ["78"],
        "StateDirectory": ["adhocd"], "LogsDirectory": ["adhocd"], "ConfigurationDirectory": ["adhocd"],
        "ExecReload": ["/bin/kill -HUP $MAINPID"], "WantedBy": ["multi-user.target"],
        # A broken file in commands.d costs its command, not the service. "-": a failed ExecStartPre
        # would be restarted whatever RestartPreventExitStatus= says; `run` exits 78 instead.
        "ExecStartPre": ["-/usr/bin/adhocd check --config-only --config /etc/adhocd/adhocd.toml"],
    }
    for key, values in expected.items():
        assert unit.get(key) == values, key
    # D-Bus needs AF_UNIX; XMPP needs IPv4 and IPv6.
    assert set(unit["RestrictAddressFamilies"][0].split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}
    assert set(unit["ReadWritePaths"][0].split()) == {"/var/lib/adhocd", "/var/log/adhocd"}


def test_system_unit_drops_every_privilege_it_can_spare():
    """The hardening of issue 10; the booted tests (Tests/systemd) show adhocd, its D-Bus
    calls, its commands.d programs and its health probes working under it."""
    unit = unit_directives(SYSTEM_UNIT)
    expected = {
        "CapabilityBoundingSet": [""], "RemoveIPC": ["yes"], "ProtectProc": ["invisible"], "PrivateUsers": ["yes"],
        "PrivateMounts": ["yes"], "UMask": ["0077"], "SystemCallErrorNumber": ["EPERM"],
        "SystemCallFilter": ["@system-service", "~@privileged @resources"],
        # Documented defaults (docs/security.md), for adhocd and every program it runs together.
        "TasksMax": ["256"], "MemoryMax": ["512M"],
    }
    for key, values in expected.items():
        assert unit.get(key) == values, key
    # It would hide /proc/loadavg, /proc/meminfo and /proc/uptime from the health monitor.
    assert "ProcSubset" not in unit


def test_system_unit_exposure_is_held_under_the_documented_bound(tmp_path):
    require_tools("systemd-analyze")
    copy = tmp_path / "adhocd.service"
    copy.write_text(SYSTEM_UNIT.read_text())
    result = run("systemd-analyze", "security", "--offline=true", "--no-pager", copy)
    assert result.returncode == 0, result.stderr
    score = exposure_score(result.stdout, "adhocd.service")
    assert score <= SYSTEM_UNIT_EXPOSURE_BOUND, result.stdout


def test_user_unit_reads_the_users_configuration():
    unit = unit_directives(USER_UNIT)
    assert "User" not in unit
    assert unit["WantedBy"] == ["default.target"]
    assert unit["ExecStart"] == ["/usr/bin/adhocd run --config %E/adhocd/adhocd.toml --log-level info"]
    assert unit["ExecStartPre"] == ["-/usr/bin/adhocd check --config-only --config %E/adhocd/adhocd.toml"]


def test_unit_command_lines_are_accepted_by_the_binary(adhocd, tmp_path):
    """The units' command lines, with the binary under test and a real configuration, parse:
    `check` passes, and `run` knows every option given (shown by --help succeeding)."""
    config = write_config(tmp_path, (REPO / "packaging" / "adhocd.example.toml").read_text())
    for unit_file in (SYSTEM_UNIT, USER_UNIT):
        unit = unit_directives(unit_file)
        for key, extra in (("ExecStartPre", []), ("ExecStart", ["--help"])):
            words = shlex.split(unit[key][0].removeprefix("-"))
            assert words[0] == "/usr/bin/adhocd"
            words = [str(config) if word.endswith("adhocd.toml") else word for word in words[1:]]
            result = run(adhocd, *words, *extra)
            assert result.returncode == 0, f"{unit_file.name} {key}: {result.stdout}{result.stderr}"
