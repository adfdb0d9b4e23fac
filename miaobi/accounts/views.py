from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from miaobi.library.gate import may_view_article
from miaobi.library.models import Article

from . import codes, entitlements, services, throttle
from .forms import DeleteAccountForm, LoginForm, RedeemForm, RegisterForm
from .models import Download, Favourite, ReadingEvent, Unlock, User


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def safe_next(request, default: str) -> str:
    """The ?next= target if it is a path on this site; never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()) and target.startswith("/"):
        return target
    return default


def register(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request, reverse("accounts:me")))
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_user(kind=form.kind, identifier=form.cleaned_data["identifier"],
                                      password=form.cleaned_data["password1"])
        login(request, user)
        if user.email:
            services.send_verification_email(user, request.build_absolute_uri("/").rstrip("/"))
            messages.info(request, "注册成功。验证邮件已发送，验证后可用邮箱找回密码。")
        else:
            messages.info(request, f"注册成功，本月可免费获取 {settings.MIAOBI_FREE_QUOTA} 篇全文。")
        return redirect(safe_next(request, reverse("accounts:me")))
    return render(request, "accounts/register.html", {"form": form, "next": safe_next(request, "")})


def login_view(request):
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        ip = client_ip(request)
        refusal = throttle.login_refusal(identifier, ip)
        if refusal:
            error = refusal.message
        else:
            user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_login_failure(identifier, ip)
                error = throttle.login_refusal(identifier, ip)
                error = error.message if error else "手机号/邮箱或密码不正确。"
            else:
                throttle.record_login_success(identifier, ip)
                login(request, user)
                return redirect(safe_next(request, reverse("accounts:me")))
    status = 429 if error and "再试" in error else 200
    return render(request, "accounts/login.html", {"form": form, "error": error, "next": safe_next(request, "")},
                  status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("library:home")


@login_required
def me(request):
    user = request.user
    return render(request, "accounts/me.html", {
        "member_until": entitlements.membership_ends_at(user),
        "quota_left": entitlements.free_quota_left(user),
        "free_quota": settings.MIAOBI_FREE_QUOTA,
        "downloads_left": entitlements.downloads_left_today(user),
        "unlocks": Unlock.objects.filter(user=user).select_related("article")[:50],
        "downloads": Download.objects.filter(user=user)[:20],
        "favourites": Favourite.objects.filter(user=user).select_related("article")[:50],
        "history": ReadingEvent.objects.filter(user=user).select_related("article")[:30],
    })


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("accounts:me")
    return render(request, "accounts/form_page.html", {"form": form, "heading": "修改密码", "submit": "保存新密码"})


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user)
        messages.info(request, "账户已删除。")
        return redirect("library:home")
    return render(request, "accounts/form_page.html", {
        "form": form, "heading": "注销账户", "submit": "永久删除我的账户", "danger": True,
        "intro": "删除后，已解锁的全文、收藏、阅读记录和会员时长都将清除，且无法恢复。",
    })


def verify_email(request, token: str):
    user = services.verify_email(token)
    return render(request, "accounts/message.html", {
        "heading": "邮箱验证",
        "text": "邮箱验证成功。" if user else "验证链接无效或已过期，请登录后在“我的”页面重新发送。",
    }, status=200 if user else 400)


@login_required
@require_POST
def resend_verification(request):
    if request.user.email and not request.user.email_verified:
        services.send_verification_email(request.user, request.build_absolute_uri("/").rstrip("/"))
        messages.info(request, "验证邮件已重新发送。")
    return redirect("accounts:me")


@login_required
def redeem(request):
    form = RedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = codes.redeem_code(request.user, form.cleaned_data["code"], ip=client_ip(request))
        except entitlements.EntitlementError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, f"兑换成功！{result}")
            return redirect("accounts:me")
    return render(request, "accounts/redeem.html", {"form": form})


@require_POST
def unlock(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    if not may_view_article(article, request.user):
        return render(request, "404.html", status=404)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={article.get_absolute_url()}")
    try:
        result = entitlements.unlock_article(request.user, article)
    except entitlements.EntitlementError as exc:
        messages.error(request, exc.message)
    else:
        if result.kind == Unlock.Kind.FREE:
            left = entitlements.free_quota_left(request.user)
            messages.success(request, f"已获取全文。本月还可免费获取 {left} 篇。")
        elif result.kind == Unlock.Kind.PAID:
            left = User.objects.values_list("paid_unlocks", flat=True).get(pk=request.user.pk)
            messages.success(request, f"已获取全文，使用次卡 1 篇，剩余 {left} 篇。")
    return redirect(article.get_absolute_url())


@login_required
@require_POST
def favourite(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    if not may_view_article(article, request.user):
        return render(request, "404.html", status=404)
    existing = Favourite.objects.filter(user=request.user, article=article)
    if existing.exists():
        existing.delete()
        messages.info(request, "已取消收藏。")
    else:
        Favourite.objects.get_or_create(user=request.user, article=article)
        messages.success(request, "已收藏，可在“我的”页面找到。")
    return redirect(article.get_absolute_url())
