from django.db import models

DEFAULT_SITE_NAME = "妙笔智库"
# A placeholder: each studio enters its own writer's WeChat ID in the admin.
DEFAULT_CONTACT_WECHAT = "miaobi-laoshi"


class SiteSettings(models.Model):
    """Site-wide texts editable by staff. There is one row (pk=1); read it with current_site_settings()."""

    site_name = models.CharField("站点名称", max_length=40, default=DEFAULT_SITE_NAME)
    tagline = models.CharField("副标题", max_length=100, default="公文范文库 · 讲话稿 心得体会 工作总结 定制代笔", blank=True)
    contact_wechat = models.CharField(
        "联系微信号", max_length=40, default=DEFAULT_CONTACT_WECHAT,
        help_text="文章页“复制微信号，添加老师”显示的写手微信号。",
    )
    footer_text = models.TextField(
        "页脚文字", blank=True,
        default="本站范文仅供学习参考，请结合本单位实际修改使用。",
    )

    class Meta:
        verbose_name = "站点设置"
        verbose_name_plural = "站点设置"

    def __str__(self) -> str:
        return self.site_name
