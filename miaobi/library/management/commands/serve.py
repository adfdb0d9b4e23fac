import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from miaobi.scale import prod as production


class Command(BaseCommand):
    help = ("Serve Miaobi on HOST:PORT, static files by WhiteNoise. --prod: the production server "
            "(workers by core count, indexes loaded before forking; see miaobi/scale/prod.py).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, help="default: WEB_CONCURRENCY, else 2 (--prod: by cores)")
        parser.add_argument("--prod", action="store_true", help="production server: preload, workers by cores")
        parser.add_argument("--server", choices=production.SERVERS, default=production.DEFAULT_SERVER,
                            help="with --prod")
        parser.add_argument("--access-log", action="store_true", help="with --prod: log every request")

    def handle(self, *args, host, port, workers, prod, server, access_log, **options):
        if not 0 < port < 65536:
            raise CommandError(f"invalid port {port}")
        if prod and settings.DEBUG:
            raise CommandError("--prod with DEBUG=1: Django's debug pages must never face the public")
        try:
            if prod:
                workers = workers or production.default_workers(server)
                argv = production.command(server, host=host, port=port, workers=workers, access_log=access_log)
            else:
                server, workers = "gunicorn", workers or int(os.environ.get("WEB_CONCURRENCY", "2"))
                argv = [production.executable("gunicorn"), "miaobi.wsgi:application", "--bind", f"{host}:{port}",
                        "--workers", str(workers), "--graceful-timeout", "10", "--no-control-socket"]
                # No gunicorn access log: it would print query strings (order tracking ?t= tokens);
                # the request-log middleware (ops/requestlog.py) logs each request without them.
        except FileNotFoundError as exc:
            raise CommandError(f"{exc} (pip install {server})") from exc
        env = {**os.environ, "MIAOBI_STATIC_MANIFEST": "1"}
        # collectstatic in a child process: this process loaded settings without the manifest storage.
        subprocess.run([sys.executable, "-m", "miaobi.cli", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        self.stdout.write(f"Miaobi serving on http://{host}:{port}/ ({server}, {workers} workers, "
                          f"data in {settings.DATA_DIR})")
        self.stdout.flush()
        os.execve(argv[0], argv, env)
