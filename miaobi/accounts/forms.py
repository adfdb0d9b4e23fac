from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError

from .identity import normalise_identifier
from .models import User


class RegisterForm(forms.Form):
    identifier = forms.CharField(label="手机号或邮箱", max_length=120,
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}))
    password1 = forms.CharField(label="密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少 8 位，不能全是数字，不要与手机号或邮箱相似。")
    password2 = forms.CharField(label="再次输入密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_identifier(self):
        kind, value = normalise_identifier(self.cleaned_data["identifier"])
        if kind == "mobile":
            if User.objects.filter(mobile=value).exists():
                raise ValidationError("这个手机号已经注册过了，请直接登录。")
        elif kind == "email":
            if User.objects.filter(email__iexact=value).exists():
                raise ValidationError("这个邮箱已经注册过了，请直接登录。")
        else:
            raise ValidationError("请输入 11 位手机号或有效的邮箱地址。")
        self.kind = kind
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        if p1 and "identifier" in data:
            probe = User(username=data["identifier"], email=data["identifier"] if self.kind == "email" else "",
                         mobile=data["identifier"] if self.kind == "mobile" else None)
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LoginForm(forms.Form):
    identifier = forms.CharField(label="手机号或邮箱", max_length=120,
                                 widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label="输入密码以确认", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError("密码不正确。")
        return self.cleaned_data["password"]


class RedeemForm(forms.Form):
    code = forms.CharField(label="卡密", max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX-XXXX",
                                                         "autocapitalize": "characters", "spellcheck": "false"}))


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email is a job that takes the user's id and makes the token when it runs."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        import uuid

        from .tasks import password_reset_email

        password_reset_email(context["user"].pk, context["domain"], context["protocol"], uuid.uuid4().hex)

