"""Speed benchmark of the offline preflight against the checkov scanner.

Not a test: ``python -m benchmarks`` (or ``scripts/bench.sh``, which also
installs checkov into its own virtualenv) prints figures and PASS/MISS per
goal. Kept free of imports so ``python -m benchmarks.breakdown`` starts as
light as the preflight itself.
"""
