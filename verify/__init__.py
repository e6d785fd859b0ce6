"""`python -m verify`: proves a deployed stack's access path works (see README,
"Verifying a deployed stack")."""
