"""``python -m nnlab.cli``: the nnlab command."""

from nnlab.cli import main

main()
