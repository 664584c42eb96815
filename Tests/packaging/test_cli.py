"""`adhocd check`, `adhocd commands` and the log formats, through the real binary."""

import os
import signal
import subprocess
import time
from pathlib import Path

from support import REPO, run, write_config

EXAMPLE = (REPO / "packaging" / "adhocd.example.toml").read_text()

POLICY_CONFIG = """
[account]
jid = "bot@example.org"
password_file = "PASSWORD_FILE"
resource = "home"

[commands.status]
allow = ["self", "group:admins", "jid:carol@example.net"]

[commands.set-presence]
allow = ["group:admins"]
deny = ["jid:mallory@example.net"]

[[dbus]]
preset = "mpris"
allow = ["group:coloc"]

[[dbus]]
preset = "systemd"
units = ["nginx.service"]
allow = ["group:admins"]
"""


def commands(adhocd, config, *args) -> dict[str, dict[str, str]]:
    """`adhocd commands` parsed: each row by node, with its columns by header."""
    result = run(adhocd, "commands", "--config", config, *args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[2]
    starts = [header.index(name) for name in header.split()]
    rows = {}
    for line in lines[3:]:
        if not line.strip():
            break
        cells = [line[start:end].strip() for start, end in zip(starts, starts[1:] + [None])]
        rows[cells[0]] = dict(zip(header.split(), cells))
    return rows


# adhocd check


def test_check_reads_commands_d_and_fails_only_for_files_it_would_skip(adhocd, tmp_path):
    config = write_config(tmp_path, POLICY_CONFIG)
    definitions = tmp_path / "commands.d"
    definitions.mkdir()
    (definitions / "uptime.toml").write_text('name = "Uptime"\nexec = ["/usr/bin/uptime"]\n')
    (definitions / "broken.toml").write_text('name = "Broken"\nexec = ["/usr/bin/true"]\noutput = "html"\n')
    for path in definitions.iterdir():
        path.chmod(0o644)

    result = run(adhocd, "check", "--config", config)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{definitions}/broken.toml:3: output:" in result.stderr
    assert result.stdout.startswith(f"{config}: OK (")
    assert "1 file in" in result.stdout and "would be skipped" in result.stdout

    # As the units' ExecStartPre: the configuration alone, so a broken definition costs one command.
    only = run(adhocd, "check", "--config-only", "--config", config)
    assert only.returncode == 0, only.stderr
    assert "broken.toml" not in only.stderr

    # The good definition is listed with the others.
    rows = commands(adhocd, config)
    assert (rows["uptime"]["NAME"], rows["uptime"]["SOURCE"]) == ("Uptime", "commands.d (uptime.toml)")
    assert "broken" not in rows


def test_check_accepts_the_shipped_example(adhocd, tmp_path):
    config = write_config(tmp_path, EXAMPLE)
    result = run(adhocd, "check", "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"{config}: OK (account bot@example.org; commands: status, set-presence, reload; health monitor every 60 s; roster groups named: admins)\n"


def test_check_places_each_problem_on_its_line_with_a_fix(adhocd, tmp_path):
    config = write_config(tmp_path, '[account]\njid = "bot@example.org"\npassword_file = "PASSWORD_FILE"\n\n[presence]\nshow = "busy"\n')
    result = run(adhocd, "check", "--config", config)
    assert result.returncode == 78
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{config}:6: presence.show: must be one of online, chat, away, xa, dnd, found \"busy\" — see [presence] in adhocd.toml(5)",
        f"{config}: 1 error; adhocd would not start with it",
    ]


def test_check_suggests_the_key_a_typo_meant(adhocd, tmp_path):
    config = write_config(tmp_path, EXAMPLE.replace("resource =", "resorce ="))
    result = run(adhocd, "check", "--config", config)
    assert result.returncode == 78
    line = next(number for number, text in enumerate(config.read_text().splitlines(), 1) if text.startswith("resorce"))
    assert result.stderr.startswith(f"{config}:{line}: account.resorce: unknown key (did you mean 'resource'?) — correct or remove it")


def test_check_reports_syntax_errors_and_missing_files(adhocd, tmp_path):
    config = write_config(tmp_path, '[account]\njid = "bot@example.org"\nport = 52 22\n')
    result = run(adhocd, "check", "--config", config)
    assert result.returncode == 78
    assert result.stderr.startswith(f"{config}:3: TOML syntax error at column")
    missing = run(adhocd, "check", "--config", tmp_path / "nope.toml")
    assert missing.returncode == 78
    assert missing.stderr.startswith(f"{tmp_path / 'nope.toml'}: cannot read the configuration: No such file or directory — ")


def test_check_passes_with_warnings(adhocd, tmp_path):
    config = write_config(tmp_path, POLICY_CONFIG + '\n[commands.reload]\nallow = ["self"]\ndeny = ["self"]\n')
    result = run(adhocd, "check", "--config", config)
    assert result.returncode == 0
    line = config.read_text().splitlines().index('deny = ["self"]') + 1
    assert result.stderr == f"{config}:{line}: warning: commands.reload: 'self' is both allowed and denied, and deny wins — remove it from one of the lists\n"
    assert result.stdout.endswith(", 1 warning\n")


ALIASES = """
[[dbus]]
service = "org.example.Thing"
bus = "unix:path=NO_BUS"
methods = ["Frob*"]

[chat.aliases]
st = "status"
up = "uptme"
frob = "dbus/org.example.Thing/org.example.Thing.Frobnicate"
"""


def with_aliases(tmp_path, base: str) -> Path:
    """`base` with chat aliases (one good, one to an unknown node, one to a live D-Bus node) and
    commands.d holding uptime.toml."""
    config = write_config(tmp_path, base + ALIASES.replace("NO_BUS", str(tmp_path / "no-bus")))
    definitions = tmp_path / "commands.d"
    definitions.mkdir()
    (definitions / "uptime.toml").write_text('name = "Uptime"\nexec = ["/usr/bin/uptime"]\n')
    (definitions / "uptime.toml").chmod(0o644)
    return config


def test_check_warns_about_a_chat_alias_to_an_unknown_node(adhocd, tmp_path):
    config = with_aliases(tmp_path, POLICY_CONFIG)
    lines = config.read_text().splitlines()
    up, frob = lines.index('up = "uptme"') + 1, lines.index('frob = "dbus/org.example.Thing/org.example.Thing.Frobnicate"') + 1
    expected = [
        f"{config}:{frob}: note: chat.aliases.frob: names 'dbus/org.example.Thing/org.example.Thing.Frobnicate', which dbus[3] makes"
        f" from org.example.Thing (unix:path={tmp_path}/no-bus) only while that runs: it cannot be verified offline"
        f" — adhocd dbus introspect --bus unix:path={tmp_path}/no-bus org.example.Thing lists its nodes while it runs",
        f"{config}:{up}: warning: chat.aliases.up: names 'uptme', an unknown node (did you mean 'uptime'?); typing up runs nothing"
        " — write 'uptime', or remove the alias",
    ]
    # A warning, as the other mistakes adhocd runs with: the check passes.
    for args in ([], ["--config-only"]):
        result = run(adhocd, "check", *args, "--config", config)
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines() == expected
        assert result.stdout.startswith(f"{config}: OK (") and result.stdout.endswith(", 1 warning, 1 note\n")

    # In the journal (ExecStartPre), the note is a notice.
    log = tmp_path / "check.log"
    with open(log, "w") as stderr:
        status = os.fstat(stderr.fileno())
        environment = dict(os.environ, JOURNAL_STREAM=f"{status.st_dev}:{status.st_ino}")
        assert subprocess.run([str(adhocd), "check", "--config", str(config)], stderr=stderr, env=environment).returncode == 0
    assert [line[:3] for line in log.read_text().splitlines()] == ["<5>", "<4>"]


def test_check_gives_problems_their_level_in_the_journal(adhocd, tmp_path):
    """As the unit's ExecStartPre its standard error is the journal: lines carry <N>."""
    config = write_config(tmp_path, POLICY_CONFIG.replace('resource = "home"', 'resource = "home"\nport = 0'))
    log = tmp_path / "check.log"
    with open(log, "w") as stderr:
        status = os.fstat(stderr.fileno())
        environment = dict(os.environ, JOURNAL_STREAM=f"{status.st_dev}:{status.st_ino}")
        result = subprocess.run([str(adhocd), "check", "--config", str(config)], stderr=stderr, env=environment)
    assert result.returncode == 78
    lines = log.read_text().splitlines()
    assert lines[0].startswith(f"<3>{config}:6: account.port: must be between 1 and 65535")
    assert lines[1] == f"<3>{config}: 1 error; adhocd would not start with it"


def test_check_config_is_a_hidden_alias(adhocd, tmp_path):
    config = write_config(tmp_path, EXAMPLE)
    assert run(adhocd, "check-config", "--config", config).returncode == 0
    assert run(adhocd, "check-config", "--config", tmp_path / "nope.toml").returncode == 78
    assert "check-config" not in run(adhocd, "--help").stdout


# adhocd commands


def test_commands_lists_every_command_with_rules_and_links(adhocd, tmp_path):
    rows = commands(adhocd, write_config(tmp_path, POLICY_CONFIG))
    assert list(rows) == [
        "status", "set-presence", "reload", "mpris/remote",
        "systemd/nginx.service/status", "systemd/nginx.service/start", "systemd/nginx.service/stop", "systemd/nginx.service/restart",
    ]
    assert "ALLOWED" not in rows["status"]
    assert rows["status"]["RULES"] == "allow self, group:admins, jid:carol@example.net"
    assert rows["set-presence"]["RULES"] == "allow group:admins; deny jid:mallory@example.net"
    assert rows["mpris/remote"]["SOURCE"] == "D-Bus MPRIS (session bus, while a player runs)"
    assert rows["mpris/remote"]["LINK"] == "xmpp:bot@example.org/home?command;node=mpris%2Fremote"
    assert rows["systemd/nginx.service/restart"]["LINK"] == "xmpp:bot@example.org/home?command;node=systemd%2Fnginx.service%2Frestart"


def allowed(adhocd, config, *args) -> list[str]:
    return [node for node, row in commands(adhocd, config, *args).items() if row["ALLOWED"] == "yes"]


def test_commands_as_a_contact(adhocd, tmp_path):
    config = write_config(tmp_path, POLICY_CONFIG)
    # The bot's own account from another resource: `self`.
    assert allowed(adhocd, config, "--as", "bot@example.org/phone") == ["status", "reload"]
    # Default deny: a stranger runs nothing, and sees why.
    stranger = run(adhocd, "commands", "--config", config, "--as", "eve@example.net")
    assert "as eve@example.net in no roster group: may run 0 of 8" in stranger.stdout
    assert allowed(adhocd, config, "--as", "eve@example.net") == []
    assert allowed(adhocd, config, "--as", "carol@example.net/laptop") == ["status"]
    assert allowed(adhocd, config, "--as", "alice@example.org", "--groups", "coloc") == ["mpris/remote"]
    assert allowed(adhocd, config, "--as", "alice@example.org", "--groups", "admins, coloc") == [
        "status", "set-presence", "mpris/remote",
        "systemd/nginx.service/status", "systemd/nginx.service/start", "systemd/nginx.service/stop", "systemd/nginx.service/restart",
    ]
    # Deny wins over the group.
    assert "set-presence" not in allowed(adhocd, config, "--as", "mallory@example.net", "--groups", "admins")


def test_commands_refuses_bad_arguments(adhocd, tmp_path):
    config = write_config(tmp_path, POLICY_CONFIG)
    assert run(adhocd, "commands", "--config", config, "--groups", "admins").returncode == 64
    assert run(adhocd, "commands", "--config", config, "--as", "not a jid@").returncode == 64
    assert run(adhocd, "commands", "--config", tmp_path / "nope.toml").returncode == 78


# Log formats


UNREACHABLE = """
[account]
jid = "bot@localhost"
password_file = "PASSWORD_FILE"
host = "127.0.0.1"
port = 9
tls = "none"
"""


def first_log_lines(adhocd, tmp_path, *args, env=None) -> list[str]:
    """Starts `adhocd run` against a closed loopback port and returns its first log lines."""
    config = write_config(tmp_path, UNREACHABLE)
    log = tmp_path / "adhocd.log"
    with open(log, "w") as stderr:
        environment = {key: value for key, value in os.environ.items() if key != "JOURNAL_STREAM"}
        environment.update(env(stderr) if env else {})
        process = subprocess.Popen([str(adhocd), "run", "--config", str(config), *args], stderr=stderr, env=environment)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(log.read_text().splitlines()) < 2:
                time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return log.read_text().splitlines()


def test_the_daemon_warns_once_per_bad_alias_at_start_and_reload(adhocd, tmp_path):
    config = with_aliases(tmp_path, UNREACHABLE + f'\n[commands_d]\naudit_log = "{tmp_path / "audit.jsonl"}"\n')
    warning = "chat alias 'up' names 'uptme', an unknown node (did you mean 'uptime'?); typing up runs nothing — write 'uptime'"
    log = tmp_path / "adhocd.log"

    def wait_for(text: str, count: int = 1) -> str:
        deadline = time.monotonic() + 20
        while log.read_text().count(text) < count:
            assert time.monotonic() < deadline and process.poll() is None, f"no {text!r} in:\n{log.read_text()}"
            time.sleep(0.1)
        return log.read_text()

    with open(log, "w") as stderr:
        environment = {key: value for key, value in os.environ.items() if key != "JOURNAL_STREAM"}
        process = subprocess.Popen([str(adhocd), "run", "--config", str(config), "--log-format", "plain"], stderr=stderr, env=environment)
        try:
            started = wait_for("connection lost or failed")
            assert started.count(warning) == 1, started
            assert all(" warning adhocd: " in line for line in started.splitlines() if "chat alias" in line), started
            # The good alias and the one only the live service can confirm are not warned about.
            assert started.count("chat alias") == 1, started
            process.send_signal(signal.SIGHUP)
            reloaded = wait_for("Reloaded")
            assert reloaded.count(warning) == 2 and reloaded.count("chat alias") == 2, reloaded
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_journald_format_has_priorities_and_no_timestamps(adhocd, tmp_path):
    lines = first_log_lines(adhocd, tmp_path, "--log-format", "journald")
    # executor=event-loop: the concurrency hook took, in the shipped (statically linked) binary.
    version = run(adhocd, '--version').stdout.strip()
    assert lines[0] == f"<6>adhocd: starting config={tmp_path / 'adhocd.toml'} executor=event-loop version={version}"
    assert any(line.startswith("<4>adhocd: connection lost or failed") for line in lines)


def test_auto_picks_journald_when_stderr_is_the_journal_stream(adhocd, tmp_path):
    def journal_stream(stderr):
        status = os.fstat(stderr.fileno())
        return {"JOURNAL_STREAM": f"{status.st_dev}:{status.st_ino}"}

    assert first_log_lines(adhocd, tmp_path, env=journal_stream)[0].startswith("<6>adhocd: starting")


def test_plain_format_elsewhere(adhocd, tmp_path):
    # An inherited JOURNAL_STREAM that names another file does not count.
    lines = first_log_lines(adhocd, tmp_path, env=lambda _: {"JOURNAL_STREAM": "1:1"})
    assert " info adhocd: " in lines[0] and lines[0][:4].isdigit()
    assert run(adhocd, "run", "--log-format", "xml").returncode == 64
