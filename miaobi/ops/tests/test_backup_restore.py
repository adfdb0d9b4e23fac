"""The studio backs up its site, and restores it on a new machine: every row and every file comes back."""
import io
import json
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from miaobi.library.models import Article
from miaobi.ops.backup import create_backup
from miaobi.ops.database import OpsError, database_at
from miaobi.ops.restore import restore_backup
from miaobi.orders.models import Attachment, Message

from .conftest import rows_by_model, run_miaobi, uploaded_files

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads committed data, as in production


@pytest.fixture
def target(request, tmp_path):
    """(environment, database URL) of a new site to restore into: same database vendor as this test run."""
    env = {"MIAOBI_DATA_DIR": str(tmp_path / "restored")}
    if connection.vendor == "postgresql":
        url = request.getfixturevalue("fresh_postgres")
        env["DATABASE_URL"] = url
    else:
        url = f"sqlite:///{tmp_path / 'restored' / 'miaobi.sqlite3'}"
    return env, url


def assert_nothing_restored(tmp_path, url):
    assert not any((tmp_path / "restored" / "uploads").rglob("*"))
    if url.startswith("sqlite"):
        assert not (tmp_path / "restored" / "miaobi.sqlite3").exists()
    else:
        with database_at(url) as restored, connections[restored].cursor() as cursor:
            assert connections[restored].introspection.table_names(cursor) == []


def test_round_trip_restores_every_row_and_file(studio, site_dir, tmp_path, target):
    archive = tmp_path / "miaobi.tar.gz"
    call_command("backup", str(archive))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # password hashes and the key are inside

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["library.Article"] == 3
    assert manifest["counts"]["orders.Message"] == 2
    assert manifest["counts"]["accounts.RedemptionCode"] == 5
    attachment = Attachment.objects.get()
    assert {"name": f"uploads/{attachment.file.name}", "size": attachment.size} == {
        k: v for k, v in next(m for m in manifest["members"] if m["name"].endswith(attachment.file.name)).items()
        if k != "sha256"}

    env, target_url = target
    result = run_miaobi("restore", str(archive), env=env)
    assert "row counts match the manifest" in result.stdout

    with database_at(target_url) as restored:
        assert rows_by_model(restored) == rows_by_model("default")
        assert Article.objects.using(restored).get(title="乡村振兴调研报告").tags.get().name == "乡村振兴"
        message = Message.objects.using(restored).get(body="附上去年的材料，请参考。")
        assert message.attachments.get().original_name == "去年材料.docx"
    assert uploaded_files(tmp_path / "restored" / "uploads") == uploaded_files(site_dir / "uploads")
    assert (tmp_path / "restored" / "secret_key").read_text() == "k" * 60


def test_a_damaged_archive_is_refused_and_nothing_is_restored(studio, tmp_path, target):
    env, url = target
    archive = tmp_path / "miaobi.tar.gz"
    create_backup(archive)
    data = bytearray(archive.read_bytes())

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) // 2])
    result = run_miaobi("restore", str(truncated), env=env, check=False)
    assert result.returncode != 0
    assert "damaged archive" in result.stderr and "Nothing was restored" in result.stderr
    assert_nothing_restored(tmp_path, url)

    # A member changed after the backup (same size, other bytes): the checksum catches it.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as out:
        for member in src:
            content = src.extractfile(member).read()
            if member.name.startswith("uploads/"):
                content = bytes([content[0] ^ 1]) + content[1:]
            out.addfile(member, io.BytesIO(content))
    result = run_miaobi("restore", str(tampered), env=env, check=False)
    assert result.returncode != 0
    assert "checksum mismatch" in result.stderr
    assert_nothing_restored(tmp_path, url)

    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as out:
        out.add(__file__, arcname="notes.txt")
    with pytest.raises(OpsError, match="unexpected member"):
        restore_backup(not_a_backup, force=True)  # even when told to replace the site, nothing is touched
    assert Article.objects.count() == 3


def test_restore_refuses_to_overwrite_a_site_with_data(studio, tmp_path):
    archive = tmp_path / "miaobi.tar.gz"
    create_backup(archive)
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("restore", str(archive))  # the test site itself holds data
    assert Article.objects.count() == 3


def test_force_replaces_a_used_site(studio, tmp_path, target):
    archive = tmp_path / "miaobi.tar.gz"
    create_backup(archive)
    env, url = target
    run_miaobi("restore", str(archive), env=env)
    (tmp_path / "restored" / "uploads" / "stray.txt").write_text("not in the backup")
    refused = run_miaobi("restore", str(archive), env=env, check=False)
    assert refused.returncode != 0 and "refusing to overwrite" in refused.stderr
    run_miaobi("restore", "--force", str(archive), env=env)
    assert not (tmp_path / "restored" / "uploads" / "stray.txt").exists()
    with database_at(url) as restored:
        assert rows_by_model(restored) == rows_by_model("default")


def test_a_backup_of_another_vendor_points_to_copydb(studio, tmp_path, fresh_postgres):
    archive = tmp_path / "miaobi.tar.gz"
    create_backup(archive)
    env = {"MIAOBI_DATA_DIR": str(tmp_path / "restored")}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = fresh_postgres  # else: the child's own SQLite database
    result = run_miaobi("restore", str(archive), env=env, check=False)
    assert result.returncode != 0
    assert "miaobi copydb" in result.stderr


def test_backup_refuses_a_folder_as_output(studio, tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        call_command("backup", str(tmp_path))
    assert list(tmp_path.glob(".*")) == []  # no temporary file left behind
