from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from miaobi.accounts.codes import generate_codes, void_batch, write_codes_csv
from miaobi.accounts.models import CodeBatch, Plan


class Command(BaseCommand):
    help = "Redemption codes (卡密): `codes generate --plan month --count 100 --csv codes.csv`, `codes void BATCH`, `codes list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="generate a batch; the codes are printed or written once")
        gen.add_argument("--plan", required=True, help="plan code: month, quarter, year, pack10 …")
        gen.add_argument("--count", type=int, required=True)
        gen.add_argument("--valid-until", help="YYYY-MM-DD (default: one year from now)")
        gen.add_argument("--note", default="")
        gen.add_argument("--csv", help="write the codes to this CSV file instead of standard output")
        void = sub.add_parser("void", help="void a batch")
        void.add_argument("batch", type=int)
        sub.add_parser("list", help="list batches with used/unused counts")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_generate(self, plan, count, valid_until, note, csv, **options):
        try:
            plan_obj = Plan.objects.get(code=plan)
        except Plan.DoesNotExist:
            known = ", ".join(Plan.objects.values_list("code", flat=True))
            raise CommandError(f"unknown plan {plan!r}; known plans: {known}") from None
        if not 1 <= count <= 10000:
            raise CommandError("--count must be between 1 and 10000")
        until = None
        if valid_until:
            try:
                day = datetime.strptime(valid_until, "%Y-%m-%d").date()
            except ValueError:
                raise CommandError("--valid-until must look like 2027-06-30") from None
            until = timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
            if until < timezone.now():
                raise CommandError("--valid-until is in the past")
        generated = generate_codes(plan=plan_obj, count=count, valid_until=until or timezone.now() + timedelta(days=365),
                                   note=note)
        if csv:
            try:
                with open(csv, "w", encoding="utf-8-sig", newline="") as fh:
                    write_codes_csv(generated, fh)
            except OSError as exc:
                raise CommandError(f"cannot write {csv}: {exc}") from exc
            self.stdout.write(f"batch {generated.batch.pk}: {count} codes for {plan_obj.code} written to {csv}")
        else:
            write_codes_csv(generated, self.stdout)
        self.stderr.write("The codes are stored hashed and cannot be shown again: keep this output safe.")

    def handle_void(self, batch, **options):
        try:
            obj = CodeBatch.objects.get(pk=batch)
        except CodeBatch.DoesNotExist:
            raise CommandError(f"no batch {batch}") from None
        self.stdout.write(f"batch {batch} voided; {void_batch(obj)} unused codes no longer work")

    def handle_list(self, **options):
        for batch in CodeBatch.objects.select_related("plan"):
            used = batch.codes.filter(redeemed_at__isnull=False).count()
            state = "voided" if batch.voided_at else "active"
            self.stdout.write(f"{batch.pk:5d} {batch.plan.code:10s} {batch.count:6d} used {used:6d} "
                              f"valid until {timezone.localtime(batch.valid_until):%Y-%m-%d} {state} {batch.note}")
