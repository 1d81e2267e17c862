"""The stack tests' client: tests/http_client.py's, accepting the throw-away certificate."""

from __future__ import annotations

from http_client import Browserish as _Browserish
from http_client import Reply

from deploy.stack import tls_context

__all__ = ["Browserish", "Reply"]


class Browserish(_Browserish):
    def __init__(self) -> None:
        super().__init__(tls=tls_context())
