from django.contrib import admin

from .models import Order, OrderEvent


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    fields = ["created_at", "actor", "actor_role", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the desk (/desk/), which logs and notifies."""

    list_display = ["number", "topic", "state", "customer", "writer", "deadline", "price", "created_at"]
    list_filter = ["state", "genre"]
    search_fields = ["number", "topic", "contact_mobile", "contact_wechat", "contact_email"]
    readonly_fields = ["number", "state", "customer", "price", "deposit", "deposit_paid_at", "balance_paid_at",
                       "revisions_used", "first_delivered_at", "delivered_at", "closed_at", "created_at", "anonymised_at"]
    exclude = ["tracking_token", "customer_read_at", "staff_read_at", "references"]
    inlines = [OrderEventInline]
