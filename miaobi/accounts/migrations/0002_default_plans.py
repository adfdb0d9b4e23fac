from django.db import migrations

PLANS = [
    ("month", "月卡", "time", 30, 0, "39.00"),
    ("quarter", "季卡", "time", 90, 0, "99.00"),
    ("year", "年卡", "time", 365, 0, "299.00"),
    ("pack10", "次卡（10 篇）", "count", 0, 10, "19.90"),
]


def add_plans(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for code, name, kind, days, unlocks, price in PLANS:
        Plan.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "days": days,
                                                        "unlocks": unlocks, "price": price})


def remove_plans(apps, schema_editor):
    apps.get_model("accounts", "Plan").objects.filter(code__in=[p[0] for p in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_plans, remove_plans)]
