from django.contrib import admin

from .models import NearDuplicate


@admin.register(NearDuplicate)
class NearDuplicateAdmin(admin.ModelAdmin):
    list_display = ("article", "similar_to", "similarity", "resolved", "created_at")
    list_filter = ("resolved",)
    raw_id_fields = ("article", "similar_to")
