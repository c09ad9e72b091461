"""``python -m nnlab``: the nnlab command."""

from nnlab.cli import main

main()
