"""Run the CLI with ``python -m licvisit``."""

from licvisit.cli import main

main()
