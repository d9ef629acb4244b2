"""Material uploads: multipart field ``file``; JPEG, PNG or PDF by content, at most 10 MB."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.errors import InvalidInput, Malformed
from core.ratelimit import UPLOAD_PER_CITIZEN, enforce
from core.uploads.service import owned_upload, read_upload, save_upload
from miniapp_api import schemas as s
from miniapp_api.context import current_citizen, services
from miniapp_api.docs import documented
from miniapp_api.headers import attachment

bp = Blueprint("uploads", url_prefix="/api/v1/uploads")


@bp.post("")
@openapi.body({"multipart/form-data": {"file": bytes}})
@openapi.summary("Upload one material file (multipart field 'file')")
@openapi.description(
    "201 `{file_id, content_type, size}`: the type as judged from the content (JPEG, PNG or "
    "PDF) and the size in bytes. 413 `file_too_large` over 10 MB, 415 "
    "`unsupported_file_type` for anything else, 422 `empty_file`, 422 `one_file_only` when "
    "the form carries more than one `file`, 400 without one. 429 `rate_limited` past 20 "
    "uploads a minute, 422 `upload_quota_exceeded` past 200 MB in 24 hours. A file no case "
    "lists is removed a day after its upload."
)
@documented(
    "citizen",
    body=s.UploadForm,
    media="multipart/form-data",
    answers={201: s.Uploaded},
    errors={
        413: ("file_too_large", "payload_too_large"),
        415: ("unsupported_file_type",),
        422: ("empty_file", "one_file_only", "missing_field"),
    },
)
async def create(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    svc = services(request)
    await enforce(svc.platforms.state, UPLOAD_PER_CITIZEN, str(citizen.id))
    files = request.files.getlist("file") if request.files else None
    if not files:
        raise Malformed("Send the file as multipart/form-data field 'file'.")
    if len(files) > 1:
        raise InvalidInput(
            "Send one file per upload.", code="one_file_only", details={"field": "file"}
        )
    upload = await save_upload(
        svc.settings.upload_dir, str(citizen.id), files[0].body, svc.clock.now()
    )
    return json(
        {"file_id": upload.id, "content_type": upload.content_type, "size": upload.size}, status=201
    )


@bp.get("/<file_id:str>")
@openapi.summary("Download one of your own uploads")
@openapi.description(
    "Sent as an attachment (`Content-Disposition: attachment`, `nosniff`, `no-store`)."
)
@documented("citizen", answers={200: "application/octet-stream"}, errors={404: ("file_not_found",)})
async def show(request: Request, file_id: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    upload = await owned_upload(file_id, str(citizen.id))
    content = await read_upload(services(request).settings.upload_dir, upload)
    return attachment(upload, content)
