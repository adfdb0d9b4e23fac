from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html

from .codes import generate_codes, void_batch, write_codes_csv
from .models import CodeBatch, Download, Membership, Plan, RedemptionAttempt, RedemptionCode, Unlock, User


@admin.register(User)
class MiaobiUserAdmin(UserAdmin):
    list_display = ["username", "mobile", "email", "member_number", "paid_unlocks", "is_staff", "date_joined"]
    search_fields = ["username", "mobile", "email"]
    fieldsets = UserAdmin.fieldsets + (("妙笔", {"fields": ["mobile", "email_verified", "paid_unlocks"]}),)

    @admin.display(description="会员号")
    def member_number(self, obj):
        return obj.member_no


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "days", "unlocks", "price", "active"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "plan", "starts_at", "ends_at", "source"]
    search_fields = ["user__username", "user__mobile", "user__email"]
    list_select_related = ["user", "plan"]


@admin.register(Unlock)
class UnlockAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "article"]
    search_fields = ["user__username", "article__title"]


@admin.register(Download)
class DownloadAdmin(admin.ModelAdmin):
    list_display = ["mark", "user", "article_title", "fmt", "created_at"]
    search_fields = ["mark", "user__username", "user__mobile", "article_title"]
    list_select_related = ["user"]


class RedemptionCodeInline(admin.TabularInline):
    model = RedemptionCode
    fields = ["hint", "redeemed_by", "redeemed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CodeBatch)
class CodeBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "count", "used", "unused", "valid_until", "voided_at", "note"]
    fields = ["plan", "count", "valid_until", "note", "voided_at", "created_by", "created_at"]
    readonly_fields = ["voided_at", "created_by", "created_at"]
    inlines = [RedemptionCodeInline]
    actions = ["void_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan").annotate(
            used_count=Count("codes", filter=Q(codes__redeemed_at__isnull=False)))

    @admin.display(description="已兑换")
    def used(self, obj):
        return obj.used_count

    @admin.display(description="未兑换")
    def unused(self, obj):
        return obj.count - obj.used_count

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["plan", "count", "valid_until"] if obj else [])

    def response_add(self, request, obj, post_url_continue=None):
        # The codes exist only now, in memory: hand them over as a CSV, once.
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="miaobi-codes-batch-{obj.pk}.csv"'
        response.write("\ufeff")
        write_codes_csv(self._generated, response)
        return response

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        generated = generate_codes(plan=obj.plan, count=obj.count, valid_until=obj.valid_until, note=obj.note,
                                   created_by=request.user)
        obj.pk = generated.batch.pk
        obj.created_at = generated.batch.created_at
        self._generated = generated

    @admin.action(description="作废所选批次（未兑换的卡密失效）")
    def void_selected(self, request, queryset):
        total = sum(void_batch(batch) for batch in queryset)
        self.message_user(request, f"已作废，{total} 张未兑换的卡密失效。", messages.SUCCESS)


@admin.register(RedemptionAttempt)
class RedemptionAttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "ip", "outcome", "code_hint"]
    list_filter = ["outcome"]
    search_fields = ["user__username", "ip"]

    @admin.display(description="卡密末四位")
    def code_hint(self, obj):
        return obj.code.hint if obj.code else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
