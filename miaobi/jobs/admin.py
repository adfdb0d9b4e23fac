from django.contrib import admin

from .models import SentEmail


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    list_display = ("key", "claimed_at", "sent_at")
    search_fields = ("key",)
    readonly_fields = ("key", "claimed_at", "sent_at")
