import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Miaobi with gunicorn (static files by WhiteNoise) on HOST:PORT."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, host, port, workers, **options):
        if not 0 < port < 65536:
            raise CommandError(f"invalid port {port}")
        env = {**os.environ, "MIAOBI_STATIC_MANIFEST": "1"}
        # collectstatic in a child process: this process loaded settings without the manifest storage.
        subprocess.run([sys.executable, "-m", "miaobi.cli", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if not gunicorn:
            raise CommandError("gunicorn is not installed in this environment (pip install gunicorn)")
        self.stdout.write(f"Miaobi serving on http://{host}:{port}/ ({workers} workers, data in {settings.DATA_DIR})")
        self.stdout.flush()
        os.execve(gunicorn, [
            gunicorn, "miaobi.wsgi:application", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--access-logfile", "-", "--graceful-timeout", "10",
        ], env)
