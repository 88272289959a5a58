"""Actions of ACS Bridge that return data: people, records and head counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
    UnknownUser,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .adapters import (
    AcsAdapter,
    AcsError,
    AlarmFilter,
    Capability,
    Person,
    RecordKind,
)
from .const import DOMAIN
from .coordinator import AcsConfigEntry

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_USER_NO = "user_no"
ATTR_USER_ID = "user_id"
ATTR_ORG_NAME = "org_name"
ATTR_PERSON_TYPE_ID = "person_type_id"
ATTR_LIMIT = "limit"
ATTR_START = "start"
ATTR_END = "end"
ATTR_KIND = "kind"
ATTR_ALARMS = "alarms"
ATTR_AREA_ID = "area_id"
ATTR_AREA = "area"
ATTR_INCLUDE_ID_CARD = "include_id_card"

KIND_PASSAGE = "passage"
MAX_LIMIT = 10000
# Records of one person: a server may not filter them by person (AX-ACS access
# records cannot), so finding them can mean reading every record of the range.
# The range is bounded, and so is the time the whole action may take.
MAX_PERSON_RECORDS_SPAN = timedelta(days=31)
RECORDS_TIMEOUT = 60.0

_ENTRY: dict[vol.Marker, Any] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}
_LIMIT = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_LIMIT))
_ID_CARD: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_INCLUDE_ID_CARD, default=False): cv.boolean
}

GET_PERSON_SCHEMA = vol.All(
    vol.Schema(
        {
            **_ENTRY,
            **_ID_CARD,
            vol.Exclusive(ATTR_USER_NO, "user"): cv.string,
            vol.Exclusive(ATTR_USER_ID, "user"): vol.Coerce(int),
        }
    ),
    cv.has_at_least_one_key(ATTR_USER_NO, ATTR_USER_ID),
)
LIST_PEOPLE_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        **_ID_CARD,
        vol.Optional(ATTR_ORG_NAME): cv.string,
        vol.Optional(ATTR_PERSON_TYPE_ID): vol.Coerce(int),
        vol.Optional(ATTR_LIMIT, default=100): _LIMIT,
    }
)
GET_RECORDS_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        vol.Optional(ATTR_KIND, default=RecordKind.ACCESS.value): vol.In(
            [RecordKind.ACCESS.value, RecordKind.SWIPE.value, KIND_PASSAGE]
        ),
        vol.Optional(ATTR_ALARMS, default=AlarmFilter.INCLUDE.value): vol.In(
            [item.value for item in AlarmFilter]
        ),
        vol.Optional(ATTR_USER_NO): cv.string,
        vol.Optional(ATTR_LIMIT, default=100): _LIMIT,
    }
)
GET_AREA_PEOPLE_SCHEMA = vol.All(
    vol.Schema(
        {
            **_ENTRY,
            vol.Exclusive(ATTR_AREA_ID, "area"): vol.Coerce(int),
            vol.Exclusive(ATTR_AREA, "area"): cv.string,
        }
    ),
    cv.has_at_least_one_key(ATTR_AREA_ID, ATTR_AREA),
)


def _jsonable(value: Any) -> Any:
    """Turn models into plain JSON values (times as ISO-8601, codes by name)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: _jsonable(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.name.lower() if isinstance(value.value, int) else value.value
    return value


def _entry(call: ServiceCall) -> AcsConfigEntry:
    """Return the loaded entry the call names, or the only one."""
    hass = call.hass
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    entries = hass.config_entries.async_entries(DOMAIN)
    if entry_id is not None:
        entries = [entry for entry in entries if entry.entry_id == entry_id]
        if not entries:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
    loaded = [entry for entry in entries if entry.state is ConfigEntryState.LOADED]
    if not loaded:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="entry_not_loaded"
        )
    if len(loaded) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="entry_required"
        )
    entry: AcsConfigEntry = loaded[0]
    return entry


async def _take[T](items: AsyncIterator[T], limit: int) -> list[T]:
    result: list[T] = []
    async for item in items:
        result.append(item)
        if len(result) >= limit:
            break
    return result


class _Directory:
    """Names of person types, card groups and card types, for one call."""

    def __init__(
        self,
        person_types: dict[int, str],
        groups: dict[int, str],
        types: dict[int, str],
    ) -> None:
        self.person_types = person_types
        self.groups = groups
        self.types = types

    @classmethod
    async def load(cls, adapter: AcsAdapter) -> _Directory:
        if not adapter.supports(Capability.DIRECTORY):
            return cls({}, {}, {})
        person_types, groups, types = await asyncio.gather(
            adapter.person_types(), adapter.card_groups(), adapter.card_types()
        )
        return cls(
            {item.id: item.name for item in person_types},
            {item.id: item.name for item in groups},
            {item.id: item.name for item in types},
        )

    def person(self, person: Person, *, include_id_card: bool) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(person)
        if not include_id_card:
            del data["id_card"]
        data["person_type_name"] = person.person_type_name or self.person_types.get(
            person.person_type_id or -1
        )
        data["card_group_name"] = self.groups.get(person.card_group_id or -1)
        data["card_type_name"] = self.types.get(person.card_type_id or -1)
        return data


async def _check_admin(call: ServiceCall) -> None:
    """Refuse a call from a user who is not an administrator.

    Calls with no user (automations, scripts run by Home Assistant) pass.
    """
    user_id = call.context.user_id
    if not user_id:
        return
    user = await call.hass.auth.async_get_user(user_id)
    if user is None:
        raise UnknownUser(context=call.context, user_id=user_id)
    if not user.is_admin:
        raise Unauthorized(context=call.context)


def _handler(
    func: Callable[[AcsAdapter, ServiceCall], Any], *, admin_only: bool
) -> Callable[[ServiceCall], Any]:
    """Run an action against the entry's adapter, with translated errors."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        if admin_only:
            await _check_admin(call)
        entry = _entry(call)
        adapter = entry.runtime_data.coordinator.adapter
        try:
            result: ServiceResponse = await func(adapter, call)
        except AcsError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        return result

    return handle


async def _get_person(adapter: AcsAdapter, call: ServiceCall) -> ServiceResponse:
    person, directory = await asyncio.gather(
        adapter.person(
            user_no=call.data.get(ATTR_USER_NO), user_id=call.data.get(ATTR_USER_ID)
        ),
        _Directory.load(adapter),
    )
    if person is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="person_not_found",
            translation_placeholders={
                "user": str(call.data.get(ATTR_USER_NO) or call.data.get(ATTR_USER_ID))
            },
        )
    return {
        "person": directory.person(
            person, include_id_card=call.data[ATTR_INCLUDE_ID_CARD]
        )
    }


async def _list_people(adapter: AcsAdapter, call: ServiceCall) -> ServiceResponse:
    kwargs = {
        "person_type_id": call.data.get(ATTR_PERSON_TYPE_ID),
        "org_name": call.data.get(ATTR_ORG_NAME),
    }
    people, total, directory = await asyncio.gather(
        _take(adapter.people(**kwargs), call.data[ATTR_LIMIT]),
        adapter.count_people(**kwargs),
        _Directory.load(adapter),
    )
    return {
        "total": total,
        "count": len(people),
        "people": [
            directory.person(person, include_id_card=call.data[ATTR_INCLUDE_ID_CARD])
            for person in people
        ],
    }


async def _get_records(adapter: AcsAdapter, call: ServiceCall) -> ServiceResponse:
    start: datetime = call.data[ATTR_START]
    end: datetime = call.data[ATTR_END]
    zone = dt_util.get_default_time_zone()
    start = start if start.tzinfo else start.replace(tzinfo=zone)
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    if end < start:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="end_before_start"
        )
    limit: int = call.data[ATTR_LIMIT]
    user_no = call.data.get(ATTR_USER_NO)
    if user_no is not None and end - start > MAX_PERSON_RECORDS_SPAN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="person_records_span",
            translation_placeholders={"days": str(MAX_PERSON_RECORDS_SPAN.days)},
        )
    try:
        async with asyncio.timeout(RECORDS_TIMEOUT):
            return await _read_records(adapter, call, start, end, user_no, limit)
    except TimeoutError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="records_timeout",
            translation_placeholders={"seconds": f"{RECORDS_TIMEOUT:g}"},
        ) from err


async def _read_records(
    adapter: AcsAdapter,
    call: ServiceCall,
    start: datetime,
    end: datetime,
    user_no: str | None,
    limit: int,
) -> ServiceResponse:
    if call.data[ATTR_KIND] == KIND_PASSAGE:
        passages = await _take(adapter.passages(start, end, user_no=user_no), limit)
        return {"count": len(passages), "records": _jsonable(passages)}
    records = await _take(
        adapter.records_between(
            start,
            end,
            kind=RecordKind(call.data[ATTR_KIND]),
            alarms=AlarmFilter(call.data[ATTR_ALARMS]),
            user_no=user_no,
        ),
        limit,
    )
    return {"count": len(records), "records": _jsonable(records)}


async def _get_area_people(adapter: AcsAdapter, call: ServiceCall) -> ServiceResponse:
    area_id = call.data.get(ATTR_AREA_ID)
    areas = await adapter.areas()
    if area_id is None:
        wanted = call.data[ATTR_AREA].strip().casefold()
        matches = [area for area in areas if area.name.casefold() == wanted]
        if not matches:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="area_not_found",
                translation_placeholders={"area": call.data[ATTR_AREA]},
            )
        area_id = matches[0].id
    area = next((a for a in areas if a.id == area_id), None)
    if area is None and area_id != 0:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="area_not_found",
            translation_placeholders={"area": str(area_id)},
        )
    people = await adapter.area_people(area_id)
    return {
        "area": _jsonable(area) if area else None,
        "count": len(people),
        "people": _jsonable(people),
    }


# name: (handler, schema, for administrators only). The people actions return
# personal data in bulk: only administrators (or automations, which carry no
# user) may call them.
SERVICES: dict[str, tuple[Callable[[AcsAdapter, ServiceCall], Any], Any, bool]] = {
    "get_person": (_get_person, GET_PERSON_SCHEMA, True),
    "list_people": (_list_people, LIST_PEOPLE_SCHEMA, True),
    "get_records": (_get_records, GET_RECORDS_SCHEMA, False),
    "get_area_people": (_get_area_people, GET_AREA_PEOPLE_SCHEMA, True),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions."""
    for name, (func, schema, admin_only) in SERVICES.items():
        hass.services.async_register(
            DOMAIN,
            name,
            _handler(func, admin_only=admin_only),
            schema=schema,
            supports_response=SupportsResponse.ONLY,
        )
