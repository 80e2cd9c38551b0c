"""``python -m annograph``."""

from annograph.cli import main

main()
