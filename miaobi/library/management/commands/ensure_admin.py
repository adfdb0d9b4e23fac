import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an admin account if no superuser exists, and print its generated password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("admin account: already exists (password unchanged).")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write("=" * 60)
        self.stdout.write(f"admin account created: username '{username}', password '{password}'")
        self.stdout.write("Log in at /admin/ on the site - this password is shown only once.")
        self.stdout.write("=" * 60)
