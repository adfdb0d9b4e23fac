"""Settings for bench/pages.py: the real settings plus one bare view for comparison."""
from miaobi.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.bench_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
