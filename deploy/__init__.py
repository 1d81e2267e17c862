"""Running the apps as the lecture draws a dynamic website: a database server behind them.

`postgres.py` starts a throw-away PostgreSQL server from Debian's packages, for the tests and for
local runs; it needs only the standard library, so nox itself can use it.
"""
