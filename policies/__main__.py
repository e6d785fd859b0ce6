"""The policy pack the Pulumi CLI runs (``python -m pulumi.policy .`` in this folder).

It only assembles the pack; every rule lives in ``rules/``, one module per
concern, and ``pack_server`` serves them.
"""

from pack_server import serve
from rules import all_policies

serve(all_policies())
