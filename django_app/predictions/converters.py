"""Path converters for the project's URLs, registered in `django_app/urls.py` with
`register_converter`, for every app's URLconf."""

from __future__ import annotations

from shared_web.api_input import MAX_ID


class IdConverter:
    """`<bigint:...>`: an id in a path (a prediction's, a token's): digits only, at most 2^63−1
    (docs/spec.md#53-methods-and-ids).

    Django's `int` converter takes any number of digits, so a larger id would reach the database
    and fail there (PostgreSQL: "bigint out of range") rather than be a 404. Raising ValueError
    in `to_python` tells Django the path does not match, and an unmatched path is a 404.
    """

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is larger than any id the database can hold")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
