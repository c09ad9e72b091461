"""``python -m nnlab.cli``: the nnlab command (as ``python -m nnlab``)."""

from nnlab.__main__ import main

main()
