"""miaobi worker [--workers N] [--processes]: run background jobs until stopped (SIGTERM or Ctrl-C)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig


class Command(BaseCommand):
    help = ("Run background jobs (imports, index rebuilds, emails) and the periodic ones (order "
            "auto-completion, file purge). Needs MIAOBI_JOBS=queue. SIGTERM stops after running jobs finish.")

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=settings.HUEY["consumer"]["workers"],
                            help="jobs run at the same time (default %(default)s)")
        parser.add_argument("--processes", action="store_true",
                            help="one process per worker instead of threads (for CPU-heavy imports)")
        parser.add_argument("--shutdown-timeout", type=float, default=30.0,
                            help="seconds running jobs get to finish on SIGTERM (default %(default)s); "
                                 "an import cut short resumes at the next start")
        parser.add_argument("--no-periodic", action="store_true", help="do not run the periodic jobs here")

    def handle(self, *args, workers, processes, shutdown_timeout, no_periodic, **options):
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError("MIAOBI_JOBS is 'inline': jobs run inside requests and commands, there is "
                               "nothing to consume. Set MIAOBI_JOBS=queue for the web processes and the worker.")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        autodiscover_modules("tasks")  # every app's jobs must be registered before one is dequeued
        from miaobi.importer.batches import resume_unfinished_batches

        # A job a killed worker had taken off the queue is gone from it; the batch's own records say
        # where it stopped, so every batch a job had started is queued again (if another worker is
        # still on it, the new run takes over and the old one stops: nothing is imported twice).
        resumed = resume_unfinished_batches(queued=False)
        if resumed:
            self.stdout.write(f"resuming {len(resumed)} unfinished import batches: {', '.join(map(str, resumed))}")
        config = ConsumerConfig(workers=workers, worker_type="process" if processes else "thread",
                                periodic=not no_periodic, graceful_signal="TERM",
                                shutdown_timeout=shutdown_timeout,
                                max_delay=2.0)  # an idle worker polls the SQLite queue at least every 2 s
        config.validate()
        self.stdout.write(f"worker started: {workers} {'processes' if processes else 'threads'}, "
                          f"queue {type(HUEY.storage).__name__}", ending="\n")
        self.stdout.flush()
        HUEY.create_consumer(**config.values).run()
