"""The `miaobi` console script: every manage.py subcommand plus serve, demo and ensure_admin."""
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


def miaobi(*args, env=None, timeout=120):
    exe = shutil.which("miaobi", path=str(Path(sys.executable).parent))
    assert exe, "the miaobi console script is installed in the virtual environment"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_console_script_wraps_manage_py(tmp_path):
    env = {"MIAOBI_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    result = miaobi("help", env=env)
    assert result.returncode == 0
    for command in ["migrate", "createsuperuser", "shell", "serve", "demo", "ensure_admin"]:
        assert command in result.stdout
    assert miaobi("migrate", "-v0", env=env).returncode == 0
    assert (tmp_path / "miaobi.sqlite3").exists()
    shell = miaobi("shell", "-c", "from django.db import connection; print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])", env=env)
    assert shell.stdout.strip().endswith("wal")
    assert (tmp_path / "secret_key").exists()


def test_serve_rejects_a_bad_port(tmp_path):
    result = miaobi("serve", "--port", "70000", env={"MIAOBI_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "invalid port" in result.stderr


@pytest.mark.django_db
def test_ensure_admin_creates_one_account_and_prints_its_password_once():
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    assert "password '" in out.getvalue()
    password = out.getvalue().split("password '")[1].split("'")[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    again = StringIO()
    call_command("ensure_admin", stdout=again)
    assert "already exists" in again.getvalue() and password not in again.getvalue()
