"""Pulumi entry point of the state-bucket project (see bootstrap/program.py)."""

import sys
from pathlib import Path

# Pulumi runs this file as a script with only bootstrap/ on sys.path. The repo
# root is added so this project and the main program share one settings package.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from bootstrap.program import define_state_backend


def main() -> None:
    """The program; the offline preflight calls it too."""
    define_state_backend()


if __name__ == "__main__":
    main()
