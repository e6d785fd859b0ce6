"""Offline preflight: a stack on mocks, checked by the policy pack as the CLI would."""
