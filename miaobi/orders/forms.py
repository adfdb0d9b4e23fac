from django import forms
from django.utils import timezone

from miaobi.library.models import Article, Genre

from .models import Order


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class BriefForm(forms.ModelForm):
    deadline = forms.DateTimeField(label="截止时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                   help_text="最晚需要拿到稿件的时间。")
    references = forms.ModelMultipleChoiceField(label="参考范文", required=False,
                                                 queryset=Article.objects.published(), widget=forms.MultipleHiddenInput)
    attachments = MultipleFileField(label="附件（材料、模板，最多 5 个，每个不超过 20 MB）")
    consent = forms.BooleanField(label="我已阅读并同意隐私说明：需求与联系方式仅用于本订单的沟通与撰写", required=True,
                                 error_messages={"required": "请阅读并同意隐私说明后提交。"})

    class Meta:
        model = Order
        fields = ["genre", "topic", "occasion", "audience", "speaker_role", "length_chars", "deadline", "key_points",
                  "contact_mobile", "contact_wechat", "contact_email"]
        widgets = {"key_points": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"topic": "如：在全县安全生产工作会议上的讲话", "length_chars": "大约需要多少字"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["genre"].queryset = Genre.objects.order_by("position", "id")
        self.fields["genre"].empty_label = "请选择文种"
        self.fields["length_chars"].min_value = 200
        self.fields["topic"].required = True

    def clean_length_chars(self):
        value = self.cleaned_data["length_chars"]
        if not 200 <= value <= 100000:
            raise forms.ValidationError("字数请填写 200 到 100000 之间的数字。")
        return value

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value <= timezone.now() + timezone.timedelta(hours=1):
            raise forms.ValidationError("截止时间至少要在一小时以后。")
        return value

    def clean(self):
        data = super().clean()
        if not (data.get("contact_mobile") or data.get("contact_wechat") or data.get("contact_email")):
            raise forms.ValidationError("请至少留下一种联系方式（手机号、微信号或邮箱）。")
        return data


class MessageForm(forms.Form):
    body = forms.CharField(label="留言", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    attachments = MultipleFileField(label="附件（最多 5 个）")


class RevisionForm(forms.Form):
    note = forms.CharField(label="需要修改的地方", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class QuoteForm(forms.Form):
    price = forms.DecimalField(label="报价（元）", min_value=1, max_digits=10, decimal_places=2)
    deposit = forms.DecimalField(label="定金（元）", min_value=0, max_digits=10, decimal_places=2)
    promised_at = forms.DateTimeField(label="承诺交付时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    note = forms.CharField(label="报价说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryForm(forms.Form):
    file = forms.FileField(label="交付稿（.docx）")
    note = forms.CharField(label="交付说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
