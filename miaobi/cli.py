"""The `miaobi` console script: every manage.py subcommand, plus `serve` and `demo`.

`serve` and `demo` are ordinary management commands (library/management/commands),
so `python manage.py serve` works too; this wrapper only sets the settings module.
"""
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaobi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
