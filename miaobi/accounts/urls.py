from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import QueuedPasswordResetForm
from .services import RESET_EMAIL_TEMPLATE, RESET_SUBJECT_TEMPLATE

app_name = "accounts"
urlpatterns = [
    path("accounts/register/", views.register, name="register"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/delete/", views.delete_account, name="delete"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("accounts/verify-again/", views.resend_verification, name="resend_verification"),
    path("accounts/reset/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html", form_class=QueuedPasswordResetForm,
        email_template_name=RESET_EMAIL_TEMPLATE, subject_template_name=RESET_SUBJECT_TEMPLATE,
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("accounts/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("me/", views.me, name="me"),
    path("redeem/", views.redeem, name="redeem"),
    path("a/<article_id:pk>/unlock/", views.unlock, name="unlock"),
    path("a/<article_id:pk>/favourite/", views.favourite, name="favourite"),
]
