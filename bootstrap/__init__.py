"""The state backend: a small Pulumi project that creates the S3 bucket the
bastion-db stacks keep their state in (Pulumi's self-managed "DIY" backend).

It is a package so the tests and the type checker import it as ``bootstrap.*``;
Pulumi itself runs ``bootstrap/__main__.py`` as a script (see there).
"""
