"""Settings of the servers the fault tests start: the site plus one slow view that writes."""
from miaobi.settings import *  # noqa: F401,F403

ROOT_URLCONF = "miaobi.scale.tests.fault_urls"
