import sys

from llamadesk.cli import main

sys.exit(main())
