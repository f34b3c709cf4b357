"""A small multipart form (a spreadsheet to import), parsed in memory.

Flask's own form parsing spools an uploaded file of more than 500 KB to a temporary file, in
plaintext; `small_multipart(limit)` refuses a body over `limit` from its Content-Length before
reading it (413; a body without a length: 411) and keeps every part in memory, so nothing of
the file reaches the disk. The HTML views using it are CSRF-exempt and check the form's token
themselves with `require_csrf(form)` and build their page's forms with `formdata=None`
(the request's own form can no longer be read)."""

from __future__ import annotations

import io
from typing import Any

from flask import request
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import BadRequest, LengthRequired, RequestEntityTooLarge
from werkzeug.formparser import parse_form_data
from wtforms.validators import ValidationError


def _in_memory(*_args: Any, **_kwargs: Any) -> io.BytesIO:
    return io.BytesIO()


def small_multipart(limit: int) -> tuple[Any, Any]:
    """The request's multipart form and files, at most `limit` bytes in all."""
    if request.mimetype != "multipart/form-data":
        raise BadRequest("Send the file as multipart/form-data.")
    if request.content_length is None:
        raise LengthRequired()
    if request.content_length > limit:
        raise RequestEntityTooLarge()
    _stream, form, files = parse_form_data(
        request.environ,
        stream_factory=_in_memory,
        max_content_length=limit,
        max_form_memory_size=limit,
    )
    return form, files


def require_csrf(form: Any) -> None:
    """400 unless the form carries this session's CSRF token."""
    try:
        validate_csrf(form.get("csrf_token"))
    except ValidationError:
        raise BadRequest("The CSRF token is missing or invalid.") from None
