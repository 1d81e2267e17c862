"""The OpenAPI document (docs/openapi.yaml), and checking an API answer against it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
URI = "urn:openapi"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


@cache
def registry() -> Registry:
    return Registry().with_resource(
        URI, Resource.from_contents(spec(), default_specification=DRAFT202012)
    )


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def response_pointer(method: str, path: str, status: int) -> str:
    """The JSON pointer to the schema the spec gives for this answer; AssertionError if none."""
    for template, item in spec()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            operation = item.get(method.lower())
            assert operation is not None, f"{method} {template} is not in the spec"
            response = operation["responses"].get(str(status))
            assert response is not None, f"{method} {template} does not document {status}"
            if "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[-1]
                return f"/components/responses/{name}/content/application~1json/schema"
            return "/".join(
                [
                    "/paths",
                    _escape(template),
                    method.lower(),
                    "responses",
                    str(status),
                    "content",
                    "application~1json",
                    "schema",
                ]
            )
    raise AssertionError(f"{path} is not in the spec")


def validate_answer(method: str, path: str, status: int, body: Any) -> None:
    """Raise jsonschema.ValidationError if `body` breaks the spec for this method, path, status."""
    schema = {"$ref": f"{URI}#{response_pointer(method, path.split('?')[0], status)}"}
    Draft202012Validator(schema, registry=registry()).validate(body)
