"""`riskmon config edit`: the editor round trip with a scripted $EDITOR (a small Python script)."""

from __future__ import annotations

import os
import shlex
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskmon.cli import config_edit
from riskmon.errors import RiskmonError

EXPOSURE = """\
# my business, by hand
[business]
name = "Test Seller"
monthly_revenue = 100000     # per month
gross_margin = 0.4
cash_on_hand = 60000

[[channels]]
id = "tiktok-us"
platform = "tiktok"
order_share = 0.5            # half of all orders
"""

# The "editor": replaces OLD with NEW in the file it is given (its last argument). With a state
# file, it applies the next (OLD, NEW) pair on each run, so a test can fail once then fix it.
EDITOR = textwrap.dedent("""
    import json, pathlib, sys
    args = sys.argv[1:]
    plan = json.loads(pathlib.Path(args[0]).read_text())
    target = pathlib.Path(args[-1])
    state = pathlib.Path(args[0] + ".n")
    n = int(state.read_text()) if state.exists() else 0
    state.write_text(str(n + 1))
    step = plan["steps"][min(n, len(plan["steps"]) - 1)]
    pathlib.Path(args[0] + ".seen").write_text(target.read_text())
    for path, text in step.get("also_write", {}).items():
        pathlib.Path(path).write_text(text)
    target.write_text(target.read_text().replace(step["old"], step["new"]))
    sys.exit(step.get("exit", 0))
""")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    d = tmp_path / "cfg"
    d.mkdir()
    (d / "exposure.toml").write_text(EXPOSURE)
    return d


def make_editor(tmp_path: Path, *steps: dict[str, object]) -> str:
    """An $EDITOR value: python, the script and its plan, with spaces in the path to test quoting."""
    folder = tmp_path / "my editor"
    folder.mkdir(exist_ok=True)
    script = folder / "edit.py"
    script.write_text(EDITOR)
    plan = folder / "plan.json"
    import json

    plan.write_text(json.dumps({"steps": list(steps)}))
    return " ".join(shlex.quote(x) for x in (sys.executable, str(script), str(plan)))


def run(
    cfg: Path, *args: str, editor: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "RISKMON_CONFIG")}
    env.update({"EDITOR": editor, "NO_COLOR": "1", **(extra_env or {})})
    return subprocess.run(
        [sys.executable, "-m", "riskmon", "config", "edit", *args, "--config", str(cfg)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,  # no TTY
        timeout=60,
    )


def test_valid_edit_replaces_the_file_and_keeps_comments(cfg: Path, tmp_path: Path) -> None:
    editor = make_editor(tmp_path, {"old": "cash_on_hand = 60000", "new": "cash_on_hand = 75000  # after the loan"})
    r = run(cfg, editor=editor)
    assert r.returncode == 0, r.stderr
    assert f"saved {cfg / 'exposure.toml'}" in r.stdout
    text = (cfg / "exposure.toml").read_text()
    assert text == EXPOSURE.replace("cash_on_hand = 60000", "cash_on_hand = 75000  # after the loan")
    assert sorted(p.name for p in cfg.iterdir()) == ["exposure.toml"]  # no temp or rejected files
    # The editor worked on a copy named like the file (for syntax highlighting), not on the file.
    assert (tmp_path / "my editor" / "plan.json.seen").read_text() == EXPOSURE


def test_invalid_edit_without_a_tty_exits_1_and_keeps_the_rejected_copy(cfg: Path, tmp_path: Path) -> None:
    before = (cfg / "exposure.toml").read_bytes()
    mtime = (cfg / "exposure.toml").stat().st_mtime_ns
    editor = make_editor(tmp_path, {"old": "order_share = 0.5", "new": "order_share = 5"})
    r = run(cfg, "exposure", editor=editor)
    assert r.returncode == 1
    assert f"{cfg}/exposure.toml:11: channels[tiktok-us].order_share: must be between 0 and 1 (got 5)" in r.stderr
    assert (cfg / "exposure.toml").read_bytes() == before
    assert (cfg / "exposure.toml").stat().st_mtime_ns == mtime
    rejected = cfg / "exposure.toml.rejected"
    assert rejected.read_text() == EXPOSURE.replace("order_share = 0.5", "order_share = 5")
    assert f"your edit is kept in {rejected}" in r.stderr


def test_toml_syntax_error_is_rejected_too(cfg: Path, tmp_path: Path) -> None:
    editor = make_editor(tmp_path, {"old": 'name = "Test Seller"', "new": "name = Test Seller"})
    r = run(cfg, "exposure.toml", editor=editor)
    assert r.returncode == 1
    assert "invalid TOML at line 3" in r.stderr
    assert (cfg / "exposure.toml").read_text() == EXPOSURE


def test_visual_wins_over_editor(cfg: Path, tmp_path: Path) -> None:
    visual = make_editor(tmp_path, {"old": "60000", "new": "61000"})
    r = run(cfg, editor="false", extra_env={"VISUAL": visual})
    assert r.returncode == 0, r.stderr
    assert "cash_on_hand = 61000" in (cfg / "exposure.toml").read_text()


def test_editor_failure_changes_nothing(cfg: Path, tmp_path: Path) -> None:
    editor = make_editor(tmp_path, {"old": "60000", "new": "61000", "exit": 1})
    r = run(cfg, editor=editor)
    assert r.returncode == 1 and "exited with status 1" in r.stderr
    assert (cfg / "exposure.toml").read_text() == EXPOSURE
    assert not (cfg / "exposure.toml.rejected").exists()


def test_no_changes_touches_nothing(cfg: Path, tmp_path: Path) -> None:
    mtime = (cfg / "exposure.toml").stat().st_mtime_ns
    r = run(cfg, editor=make_editor(tmp_path, {"old": "nothing", "new": "matches"}))
    assert r.returncode == 0 and "no changes" in r.stdout
    assert (cfg / "exposure.toml").stat().st_mtime_ns == mtime


def test_missing_file_starts_from_the_starter_template(cfg: Path, tmp_path: Path) -> None:
    from riskmon.sources.config.starter import starter_files

    template = starter_files()["riskmon.toml"]
    r = run(cfg, "riskmon", editor=make_editor(tmp_path, {"old": "nothing", "new": "matches"}))
    assert r.returncode == 0, r.stderr
    assert "starting from the starter template" in r.stdout
    assert (cfg / "riskmon.toml").read_text() == template


def test_unreachable_editor_is_unknown(cfg: Path) -> None:
    r = run(cfg, editor="/nonexistent/editor --wait")
    assert r.returncode == 3 and "cannot run the editor '/nonexistent/editor'" in r.stderr
    assert (cfg / "exposure.toml").read_text() == EXPOSURE


def test_unknown_file_says_did_you_mean(cfg: Path) -> None:
    r = run(cfg, "evnts", editor="true")
    assert r.returncode == 3
    assert "unknown file 'evnts'; did you mean 'events'?" in r.stderr


def test_the_bundled_demo_is_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "RISKMON_CONFIG")}
    env.update({"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path), "EDITOR": "true"})
    r = subprocess.run(
        [sys.executable, "-m", "riskmon", "config", "edit"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert r.returncode == 1
    assert "bundled demo" in r.stderr and "riskmon config init" in r.stderr


def test_a_file_changed_during_the_edit_is_not_overwritten(cfg: Path, tmp_path: Path) -> None:
    other = EXPOSURE.replace("Test Seller", "Changed Elsewhere")
    editor = make_editor(
        tmp_path,
        {"old": "60000", "new": "61000", "also_write": {str(cfg / "exposure.toml"): other}},
    )
    r = run(cfg, editor=editor)
    assert r.returncode == 1 and "changed on disk while you edited it" in r.stderr
    assert (cfg / "exposure.toml").read_text() == other
    assert "cash_on_hand = 61000" in (cfg / "exposure.toml.rejected").read_text()


@pytest.mark.parametrize("mode", [0o600, 0o640], ids=["0600", "0640"])
def test_the_rejected_copy_takes_the_files_permissions(cfg: Path, tmp_path: Path, mode: int) -> None:
    (cfg / "exposure.toml").chmod(mode)
    (cfg / "exposure.toml.rejected").write_text("an older rejected edit")
    (cfg / "exposure.toml.rejected").chmod(0o644)  # it must not keep these
    r = run(cfg, editor=make_editor(tmp_path, {"old": "order_share = 0.5", "new": "order_share = 5"}))
    assert r.returncode == 1
    rejected = cfg / "exposure.toml.rejected"
    assert "order_share = 5" in rejected.read_text()
    assert stat.S_IMODE(rejected.stat().st_mode) == mode
    # The same when the file changed on disk meanwhile.
    other = EXPOSURE.replace("Test Seller", "Changed Elsewhere")
    editor = make_editor(tmp_path, {"old": "60000", "new": "61000", "also_write": {str(cfg / "exposure.toml"): other}})
    rejected.unlink()
    assert run(cfg, editor=editor).returncode == 1
    assert "cash_on_hand = 61000" in rejected.read_text() and stat.S_IMODE(rejected.stat().st_mode) == mode


# ---------------------------------------------------------------------------------------------
# On a terminal the editor reopens (in-process: the TTY and the answer are injected)


def test_on_a_tty_the_editor_reopens_until_the_file_is_valid(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    editor = make_editor(
        tmp_path,
        {"old": "order_share = 0.5", "new": "order_share = 5"},  # 1st run: invalid
        {"old": "order_share = 5", "new": "order_share = 0.45"},  # 2nd run: the fix
    )
    questions: list[str] = []

    def ask(prompt: str) -> str:
        questions.append(prompt)
        return ""  # Enter: edit again

    rc = config_edit.edit(str(cfg), "exposure", tty=True, ask=ask, env={"EDITOR": editor})
    assert rc == 0
    assert questions == ["Edit again? [Y/n] "]
    assert "order_share = 0.45" in (cfg / "exposure.toml").read_text()
    assert "# half of all orders" in (cfg / "exposure.toml").read_text()
    out = capsys.readouterr()
    assert "must be between 0 and 1" in out.err and "saved" in out.out
    # The second run started from the rejected text, not from the original.
    assert "order_share = 5" in (tmp_path / "my editor" / "plan.json.seen").read_text()


def test_on_a_tty_giving_up_keeps_the_rejected_copy(cfg: Path, tmp_path: Path) -> None:
    editor = make_editor(tmp_path, {"old": "order_share = 0.5", "new": "order_share = 5"})
    rc = config_edit.edit(str(cfg), "exposure", tty=True, ask=lambda _: "n", env={"EDITOR": editor})
    assert rc == 1
    assert (cfg / "exposure.toml").read_text() == EXPOSURE
    assert "order_share = 5" in (cfg / "exposure.toml.rejected").read_text()


def test_editor_command_parsing() -> None:
    assert config_edit.editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}, tty=False) == ["code", "--wait"]
    quoted = config_edit.editor_command({"EDITOR": "'/opt/my editor/bin/ed' -x"}, tty=False)
    assert quoted == ["/opt/my editor/bin/ed", "-x"]
    with pytest.raises(RiskmonError, match=r"set \$VISUAL or \$EDITOR"):
        config_edit.editor_command({}, tty=False)
    with pytest.raises(RiskmonError, match="cannot be split"):
        config_edit.editor_command({"EDITOR": "vi 'unclosed"}, tty=False)


def test_file_given_as_a_path_names_its_directory(cfg: Path, tmp_path: Path) -> None:
    editor = make_editor(tmp_path, {"old": "60000", "new": "62000"})
    rc = config_edit.edit(None, str(cfg / "exposure.toml"), tty=False, env={"EDITOR": editor})
    assert rc == 0
    assert "cash_on_hand = 62000" in (cfg / "exposure.toml").read_text()


# ---------------------------------------------------------------------------------------------
# Stopped while the editor runs: the editor goes too, the temporary copy is removed

# An editor that records its pid, then waits (for the file `go`, at most 60 s) and edits the
# copy. "stubborn": it ignores SIGTERM, SIGHUP and SIGINT, so only SIGKILL ends it.
SLOW_EDITOR = textwrap.dedent("""
    import pathlib, signal, sys, time
    here, mood, target = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[-1])
    if mood == "stubborn":
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
    else:  # like vim: Ctrl-C is a key, not an exit
        signal.signal(signal.SIGINT, lambda *_: (here / "got-ctrl-c").write_text("yes"))
    (here / "copy").write_text(str(target))
    (here / "pid").write_text(str(__import__("os").getpid()))
    end = time.monotonic() + 60
    while not (here / "go").exists() and time.monotonic() < end:
        time.sleep(0.01)
    target.write_text(target.read_text().replace("60000", "65000"))
""")


def slow_editor(tmp_path: Path, mood: str) -> tuple[str, Path]:
    here = tmp_path / "slow editor"
    here.mkdir()
    (here / "edit.py").write_text(SLOW_EDITOR)
    return " ".join(shlex.quote(x) for x in (sys.executable, str(here / "edit.py"), str(here), mood)), here


def wait_for_file(path: Path, timeout: float = 30) -> str:
    end = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.01)
    return path.read_text()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def editor_pids() -> Iterator[list[int]]:
    """Editor pids a test saw; any still alive at the end (the bug this guards) is killed."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("mood", ["polite", "stubborn"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_stopped_edit_takes_its_editor_and_its_copy_with_it(
    cfg: Path, tmp_path: Path, sig: signal.Signals, mood: str, editor_pids: list[int]
) -> None:
    editor, here = slow_editor(tmp_path, mood)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "RISKMON_CONFIG")}
    env.update({"EDITOR": editor, "TMPDIR": str(tmp), "NO_COLOR": "1"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "riskmon", "config", "edit", "--config", str(cfg)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    editor_pids.append(int(wait_for_file(here / "pid")))
    copy = Path(wait_for_file(here / "copy"))
    assert copy.exists() and copy.is_relative_to(tmp)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig, err
    assert f"stopped by {sig.name}; the editor was closed and {cfg / 'exposure.toml'} was not changed" in err
    assert not alive(editor_pids[0])  # ended and reaped, not orphaned
    assert list(tmp.iterdir()) == []  # the temporary copy is gone
    assert (cfg / "exposure.toml").read_text() == EXPOSURE
    assert sorted(p.name for p in cfg.iterdir()) == ["exposure.toml"]


def test_a_ctrl_c_typed_at_the_terminal_is_the_editors(cfg: Path, tmp_path: Path, editor_pids: list[int]) -> None:
    """Like git: the terminal sends Ctrl-C to the editor too, which keeps going (vim does)."""
    import pty

    editor, here = slow_editor(tmp_path, "polite")
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "RISKMON_CONFIG")}
    env.update({"EDITOR": editor, "NO_COLOR": "1"})
    argv = [sys.executable, "-m", "riskmon", "config", "edit", "--config", str(cfg)]
    pid, master = pty.fork()
    if pid == 0:  # the child: riskmon with the pty as its controlling terminal
        os.execve(sys.executable, argv, env)
    try:
        editor_pids.append(int(wait_for_file(here / "pid")))
        os.write(master, b"\x03")  # Ctrl-C: SIGINT from the kernel to the foreground group
        wait_for_file(here / "got-ctrl-c")  # riskmon, in the same group, got it at the same time
        (here / "go").write_text("go")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(master)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "cash_on_hand = 65000" in (cfg / "exposure.toml").read_text()
