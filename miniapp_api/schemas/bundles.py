"""One-thing bundles (一件事) and benefits without applying (免申即享)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from miniapp_api.schemas.cases import CaseSummary, Delivery, MaterialRef, Step
from miniapp_api.schemas.catalogue import Material
from miniapp_api.schemas.common import NUMBER, TIME, _example

BUNDLE_NUMBER = "YJS20261126-000001-2"


class Bundle(BaseModel):
    model_config = _example(
        {
            "code": "birth",
            "name": "出生一件事",
            "items": ["320112-000-XK-00001", "320112-000-XK-00002"],
            "materials": [
                {"name": "出生医学证明", "required": True, "license_type": None},
                {"name": "居民户口簿", "required": True, "license_type": "household_register"},
            ],
        }
    )
    code: str
    name: str
    items: list[str] = Field(description="the item codes it joins")
    materials: list[Material] = Field(description="the items' materials merged by name")


class BundleRequest(BaseModel):
    model_config = _example(
        {
            "form": {"child_name": "王小明"},
            "materials": [{"name": "出生医学证明", "file_id": "5f1c0b7e9a2d4c6e8b0a1c3e5f7a9b1d"}],
            "delivery": {"method": "pickup"},
        }
    )
    delivery: Delivery
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialRef] = Field(default_factory=list)


class BundleCase(BaseModel):
    number: str
    item_code: str
    status: str


class BundleFiled(BaseModel):
    model_config = _example(
        {
            "bundle_number": BUNDLE_NUMBER,
            "applications": [
                {"number": NUMBER, "item_code": "320112-000-XK-00001", "status": "submitted"}
            ],
        }
    )
    bundle_number: str
    applications: list[BundleCase]


class BundleStep(Step):
    model_config = ConfigDict(extra="allow")
    number: str = Field(description="the case this step belongs to")
    item_code: str


class BundleDetail(BaseModel):
    model_config = _example(
        {
            "bundle_number": BUNDLE_NUMBER,
            "code": "birth",
            "name": "出生一件事",
            "completed": False,
            "applications": [
                {
                    "number": NUMBER,
                    "item_code": "320112-000-XK-00001",
                    "status": "submitted",
                    "due_date": None,
                    "created_at": TIME,
                }
            ],
            "timeline": [
                {
                    "status": "submitted",
                    "at": TIME,
                    "note": "申请已提交，等待受理",
                    "number": NUMBER,
                    "item_code": "320112-000-XK-00001",
                }
            ],
        }
    )
    bundle_number: str
    code: str
    name: str
    completed: bool
    applications: list[CaseSummary]
    timeline: list[BundleStep]


class EligiblePolicy(BaseModel):
    model_config = _example(
        {
            "code": "gaoling_jintie",
            "name": "高龄津贴",
            "item_code": "320112-000-GG-00009",
            "form": {"age_group": "80-89"},
        }
    )
    code: str
    name: str
    item_code: str
    form: dict[str, Any] = Field(description="what one tap files with the item")
