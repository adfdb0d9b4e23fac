#!/usr/bin/env python
"""Django's command-line utility; `miaobi` (miaobi/cli.py) is the same with extras."""
from miaobi.cli import main

if __name__ == "__main__":
    main()
