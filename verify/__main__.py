import sys

from verify.cli import main
from verify.processes import adopt_orphans

adopt_orphans()
sys.exit(main())
