"""What the OpenAPI document says beyond the schemas: errors are problem+json, lists with
`?format=` also answer CSV/XLSX, file downloads answer bytes (so fuzzing checks what is
served against what is documented)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Api

from tracker.reports.exports import EXPORT_TYPES

#: RFC 9457 problem details, as `tracker.errors.problem` writes them (extra members allowed:
#: `errors` on a 422, the failed checks of a refused transfer)
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object"},
    },
    "additionalProperties": True,
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


#: the mark of an API view that answers a file's bytes rather than JSON
STREAMS_FILE = {"x-streams-file": True}


def describe_what_is_served(paths: dict[str, Any]) -> None:
    """One place that makes the document say what is served, for every operation:

    - errors are problem+json (the 422 and the default response, see `register`);
    - a list that takes `?format=` also answers text/csv and xlsx;
    - an operation whose view streams a file (marked `@blp.doc(**STREAMS_FILE)`) answers any
      media type, as bytes.
    """
    for operations in paths.values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            names = {p.get("name") for p in operation.get("parameters", [])}
            ok = responses.get("200")
            if isinstance(ok, dict) and "format" in names:
                content = ok.setdefault("content", {})
                for media in EXPORT_TYPES.values():
                    content[media] = {"schema": {"type": "string", "format": "binary"}}
            if operation.pop("x-streams-file", False):
                responses["200"] = {
                    "description": "The file's bytes, in its own media type.",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                }


def document(api: Api) -> None:
    """Add the problem schema and responses, and describe what every registered operation
    serves (call after every blueprint is registered, before serving)."""
    api.spec.components.schema("Problem", PROBLEM)
    for name, description in (
        ("DEFAULT_ERROR", "A problem (RFC 9457)."),
        ("UNPROCESSABLE_ENTITY", "The input is invalid; `errors` names each field."),
    ):
        api.spec.components.responses[name] = {
            "description": description,
            "content": PROBLEM_CONTENT,
        }
    describe_what_is_served(api.spec._paths)
