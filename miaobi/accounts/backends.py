from django.contrib.auth.backends import ModelBackend

from .models import User


class MobileOrEmailBackend(ModelBackend):
    """Log in with a mobile number, an email address or (staff) a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        try:
            user = User.objects.get_by_identifier(username)
        except User.DoesNotExist:
            User().set_password(password)  # same time as a real check: no account enumeration by timing
            return None
        except User.MultipleObjectsReturned:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
