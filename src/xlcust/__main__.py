"""`python -m xlcust` runs the command line."""

from .cli import main

main()
