import pytest
from django.contrib.auth import get_user_model

from miaobi.siteconfig.models import DEFAULT_CONTACT_WECHAT, SiteSettings

pytestmark = pytest.mark.django_db


def test_defaults_show_site_name_and_placeholder_contact(client, make_article):
    article = make_article()
    html = client.get(f"/a/{article.pk}/").content.decode()
    assert "妙笔智库" in html and DEFAULT_CONTACT_WECHAT in html
    assert "mbgs777" not in html


def test_staff_edit_site_name_contact_and_footer(client, make_article):
    article = make_article()
    admin = get_user_model().objects.create_superuser("boss", password="pw-boss-123")
    client.get("/")  # the settings are cached now
    client.force_login(admin)
    response = client.post("/admin/siteconfig/sitesettings/1/change/", {
        "site_name": "青松文稿", "tagline": "公文范文", "contact_wechat": "qingsong-2026", "footer_text": "仅供参考",
    })
    assert response.status_code == 302
    client.logout()
    html = client.get(f"/a/{article.pk}/").content.decode()
    assert "青松文稿" in html and "qingsong-2026" in html and "仅供参考" in html
    assert SiteSettings.objects.count() == 1
