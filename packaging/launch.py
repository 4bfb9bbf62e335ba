"""The bundle's entry point: the `llamadesk` command, frozen."""

import multiprocessing
import sys

from llamadesk.cli import main

if __name__ == "__main__":
    # Quantizing runs in a "spawn" child, which a frozen app starts as itself with special
    # arguments: this hands such a start to multiprocessing before the CLI sees them.
    multiprocessing.freeze_support()
    sys.exit(main())
