"""Settings from the environment, the secret key, and how `make run` starts gunicorn."""

from __future__ import annotations

import multiprocessing
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from checklist_app import config, create_app

from ..conftest import PROJECT

PREFIX = "CHECKLIST_"


@pytest.fixture
def environment(monkeypatch, tmp_path, good_root, sample_site):
    """A clean CHECKLIST_* environment pointing at temporary folders; returns a function making the app."""
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CHECKLIST_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CHECKLIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CHECKLIST_HANDBOOK_DIR", str(good_root))
    monkeypatch.setenv("CHECKLIST_SITE_DIR", str(sample_site))

    def make(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(PREFIX + name, value)
        return create_app()

    return make


# Typed settings: read by the type of their default in SETTINGS.


@pytest.mark.parametrize("text", ["False", "false", "FALSE", "0", "no", "No", "off", "OFF", " false "])
def test_false_in_the_environment_is_false(environment, text):
    app = environment(SESSION_COOKIE_SECURE=text)
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("text", ["True", "true", "1", "yes", "YES", "on", "On"])
def test_true_in_the_environment_is_true(environment, text):
    app = environment(SESSION_COOKIE_SECURE=text)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_a_secure_cookie_only_when_asked(environment):
    for text, secure in (("False", False), ("true", True)):
        app = environment(SESSION_COOKIE_SECURE=text)
        app.config["TESTING"] = True

        @app.get("/_touch")
        def touch():
            from flask import session

            session["x"] = 1
            return ""

        cookie = app.test_client().get("/_touch").headers["Set-Cookie"]
        assert ("; Secure" in cookie) is secure, cookie


@pytest.mark.parametrize("text", ["maybe", "", "2", "ja", "False!"])
def test_an_unreadable_yes_no_setting_stops_the_start_naming_the_variable(environment, text):
    with pytest.raises(SystemExit) as info:
        environment(SESSION_COOKIE_SECURE=text)
    message = str(info.value)
    assert "CHECKLIST_SESSION_COOKIE_SECURE" in message
    assert "无法识别" in message and "true 或 false" in message


def test_numbers_are_read_by_the_type_of_their_default(environment):
    app = environment(LOGIN_LOCKOUT_MINUTES="30", RELOAD_INTERVAL="0.5", PERMANENT_SESSION_LIFETIME=" 3600 ")
    assert app.config["LOGIN_LOCKOUT_MINUTES"] == 30 and type(app.config["LOGIN_LOCKOUT_MINUTES"]) is int
    assert app.config["RELOAD_INTERVAL"] == 0.5
    assert app.config["PERMANENT_SESSION_LIFETIME"] == 3600


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("LOGIN_ACCOUNT_MAX_FAILURES", "five", "不是整数"),
        ("LOGIN_ACCOUNT_MAX_FAILURES", "5.5", "不是整数"),
        ("PERMANENT_SESSION_LIFETIME", "12h", "不是整数"),
        ("RELOAD_INTERVAL", "soon", "不是数字"),
        ("RELOAD_INTERVAL", "nan", "不是数字"),
    ],
)
def test_an_unreadable_number_stops_the_start_naming_the_variable(environment, name, text, words):
    with pytest.raises(SystemExit) as info:
        environment(**{name: text})
    assert PREFIX + name in str(info.value) and words in str(info.value)


def test_text_settings_keep_their_text(environment):
    app = environment(SECRET_KEY="12345", TIMEZONE="UTC", STORAGE="memory")
    assert app.config["SECRET_KEY"] == "12345"  # JSON would have made it the number 12345
    assert app.config["TIMEZONE"] == "UTC" and app.config["STORAGE"] == "memory"


def test_other_variables_are_read_as_flask_reads_them(environment):
    app = environment(EXTRA_LIMITS='{"a": 1}', EXTRA_NAME="plain text")
    assert app.config["EXTRA_LIMITS"] == {"a": 1}
    assert app.config["EXTRA_NAME"] == "plain text"


def test_every_setting_default_has_a_type_the_parser_reads():
    for setting in config.SETTINGS:
        assert setting.default is None or isinstance(setting.default, (bool, int, float, str)), setting.name


def test_parse_setting_table():
    assert config.parse_setting("X", False, "On") is True
    assert config.parse_setting("X", True, "0") is False
    assert config.parse_setting("X", 5, "7") == 7
    assert config.parse_setting("X", 2.0, "3") == 3.0
    assert config.parse_setting("X", "text", " keep spaces ") == " keep spaces "
    assert config.parse_setting("X", None, "true") == "true"


# The secret key.


def test_the_secret_key_is_created_once_with_mode_600(tmp_path):
    key = config.secret_key(str(tmp_path / "instance"))
    path = tmp_path / "instance" / "secret_key"
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert path.read_text(encoding="utf-8") == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.secret_key(str(tmp_path / "instance")) == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary file left


@pytest.mark.parametrize("content", ["", "\n", "   \n\t"])
def test_an_empty_key_file_is_an_error_that_says_how_to_fix_it(tmp_path, content):
    (tmp_path / "secret_key").write_text(content, encoding="utf-8")
    with pytest.raises(config.SettingError) as info:
        config.secret_key(str(tmp_path))
    message = str(info.value)
    assert str(tmp_path / "secret_key") in message
    assert "是空的" in message and "删除" in message and "CHECKLIST_SECRET_KEY" in message


def test_the_app_does_not_start_on_an_empty_key_file(environment, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        environment()
    assert "secret_key" in str(info.value) and "是空的" in str(info.value)


def test_a_key_from_the_environment_needs_no_file(environment, tmp_path):
    app = environment(SECRET_KEY="from-the-environment")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()


def _race(instance: str, start, results) -> None:
    start.wait()
    results.put(config.secret_key(instance))


def test_workers_starting_at_once_all_get_the_same_complete_key(tmp_path):
    context = multiprocessing.get_context("fork")
    workers = 8
    for round_ in range(25):  # the old O_EXCL version lost about one round in eight
        instance = str(tmp_path / f"instance-{round_}")
        start, results = context.Barrier(workers), context.Queue()
        processes = [context.Process(target=_race, args=(instance, start, results)) for _ in range(workers)]
        for process in processes:
            process.start()
        keys = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(60)
            assert process.exitcode == 0
        assert len(set(keys)) == 1 and re.fullmatch(r"[0-9a-f]{64}", keys[0]), keys
        assert (Path(instance) / "secret_key").read_text(encoding="utf-8") == keys[0]
        assert sorted(p.name for p in Path(instance).iterdir()) == ["secret_key"]


# Serving: gunicorn as `make run` starts it.


def _gunicorn_env(home: Path, instance: Path, good_root: Path, sample_site: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX) and k != "XDG_RUNTIME_DIR"}
    env.update(
        HOME=str(home),
        CHECKLIST_INSTANCE_PATH=str(instance),
        CHECKLIST_DATA_DIR=str(instance / "data"),
        CHECKLIST_HANDBOOK_DIR=str(good_root),
        CHECKLIST_SITE_DIR=str(sample_site),
        CHECKLIST_RELOAD_INTERVAL="0",
    )
    return env


def test_gunicorn_stops_with_the_message_on_an_empty_key_file(tmp_path, good_root, sample_site):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("", encoding="utf-8")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [
            str(gunicorn),
            "--workers",
            "2",
            "--bind",
            "127.0.0.1:0",
            "--no-control-socket",
            "checklist_app.wsgi:app",
        ],
        env=_gunicorn_env(tmp_path, instance, good_root, sample_site),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0  # stops instead of restarting the workers for ever
    assert "是空的" in result.stderr


def _make_run_command(env: dict, port: int) -> str:
    """The gunicorn command `make run` would run (make -n prints it without running anything)."""
    printed = subprocess.run(
        ["make", "-s", "-n", "run", f"PORT={port}", "WORKERS=1", "HOST=127.0.0.1"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    joined = printed.replace("\\\n", " ")
    (line,) = [line for line in joined.splitlines() if "gunicorn " in line and "echo" not in line]
    return line


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            urllib.request.urlopen(url + "/login", timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_two_make_run_instances_have_their_own_control_sockets(tmp_path, good_root, sample_site):
    home = tmp_path / "home"
    home.mkdir()
    servers = []
    try:
        for name in ("a", "b"):
            instance = tmp_path / name
            env = _gunicorn_env(home, instance, good_root, sample_site)
            port = _free_port()
            command = _make_run_command(env, port)
            assert "--control-socket" in command or "--no-control-socket" in command
            process = subprocess.Popen(
                shlex.split(command),
                cwd=PROJECT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            servers.append((process, instance, port))
            _wait_until_serving(f"http://127.0.0.1:{port}", process)
        (a, a_dir, a_port), (b, b_dir, b_port) = servers
        a_socket, b_socket = a_dir / f"gunicorn-{a_port}.ctl", b_dir / f"gunicorn-{b_port}.ctl"
        assert stat.S_ISSOCK(a_socket.stat().st_mode) and stat.S_ISSOCK(b_socket.stat().st_mode)
        assert not (home / ".gunicorn").exists()  # gunicorn's shared default is not used
        _stop(a)
        assert not a_socket.exists()
        assert stat.S_ISSOCK(b_socket.stat().st_mode)  # stopping one leaves the other's socket alone
        _wait_until_serving(f"http://127.0.0.1:{b_port}", b)
    finally:
        for process, _, _ in servers:
            _stop(process)
            if process.stdout:
                process.stdout.close()
