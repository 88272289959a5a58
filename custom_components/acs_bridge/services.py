"""Actions of ACS Bridge: people, records and head counts; hold-open and site mode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from enum import Enum
import inspect
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, Platform
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
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    service as service_helper,
)
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
from .commands import DoorCommand, async_check_code
from .const import DOMAIN
from .door_control import find_area
from .door_modes import MODE_NORMALLY_OPEN, SiteMode
from .identifiers import door_id_from_unique_id
from .runtime import AcsConfigEntry

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
ATTR_DURATION = "duration"
ATTR_CODE = "code"
ATTR_MODE = "mode"

KIND_PASSAGE = "passage"
MAX_LIMIT = 10000
# Records of one person: a server may not filter them by person (an adapter
# may filter rows itself), so finding them can mean reading every record of the range.
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
HOLD_OPEN_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_DURATION): vol.All(
            cv.time_period,
            vol.Range(min=timedelta(seconds=1), max=timedelta(hours=24)),
        ),
        vol.Optional(ATTR_CODE): cv.string,
    }
)
SET_SITE_MODE_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_MODE): vol.In([mode.value for mode in SiteMode]),
        vol.Optional(ATTR_AREA): vol.All(vol.Coerce(str), cv.string),
        vol.Optional(ATTR_CODE): cv.string,
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


# --- door control: hold-open and site mode --------------------------------------


async def _target_entity_ids(call: ServiceCall) -> set[str]:
    """Return the entities a call targets (devices and areas expanded)."""
    extract: Callable[..., Awaitable[set[str]]] = (
        service_helper.async_extract_entity_ids
    )
    # Home Assistant 2025.4 takes hass first; newer versions take the call alone.
    if "hass" in inspect.signature(extract).parameters:
        return await extract(call.hass, call)
    return await extract(call)


async def _door_locks(call: ServiceCall) -> list[tuple[AcsConfigEntry, list[str]]]:
    """Return the doors of the door locks a call targets, by loaded entry.

    An entity named explicitly that is not a door lock of ACS Bridge is an
    error; other entities of a targeted device or area are left out.
    """
    hass = call.hass
    registry = er.async_get(hass)
    named = set(cv.ensure_list(call.data.get(ATTR_ENTITY_ID)))
    doors: dict[str, tuple[AcsConfigEntry, list[str]]] = {}
    for entity_id in sorted(await _target_entity_ids(call)):
        entity = registry.async_get(entity_id)
        entry = None
        door_id = None
        if entity and entity.platform == DOMAIN and entity.domain == Platform.LOCK:
            entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
            door_id = door_id_from_unique_id(
                entity.config_entry_id or "", entity.unique_id, "lock"
            )
        if entry is None or door_id is None:
            if entity_id in named:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="not_a_door_lock",
                    translation_placeholders={"entity_id": entity_id},
                )
            continue
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="entry_not_loaded"
            )
        doors.setdefault(entry.entry_id, (entry, []))[1].append(door_id)
    if not doors:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_door_targeted"
        )
    return list(doors.values())


async def _hold_open(call: ServiceCall) -> None:
    """Hold the targeted doors open for a while (codes checked first, per server)."""
    targets = await _door_locks(call)
    for entry, door_ids in targets:
        await async_check_code(
            entry.runtime_data.coordinator,
            entry.runtime_data.code_guard,
            call.data.get(ATTR_CODE),
            call.context,
            command=DoorCommand.HOLD_OPEN,
            door_ids=door_ids,
            mode=MODE_NORMALLY_OPEN,
        )
    results = await asyncio.gather(
        *(
            entry.runtime_data.door_control.async_hold_open(
                door_ids, call.data[ATTR_DURATION], call.context
            )
            for entry, door_ids in targets
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def _set_site_mode(call: ServiceCall) -> ServiceResponse:
    """Switch the doors of a site, or of an area, to a site mode."""
    entry = _entry(call)
    control = entry.runtime_data.door_control
    area = None
    if (text := call.data.get(ATTR_AREA)) is not None:
        area = find_area(entry.runtime_data.coordinator.data, text)
        if area is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="area_not_found",
                translation_placeholders={"area": text},
            )
    mode = SiteMode(call.data[ATTR_MODE])
    plan = control.plan_site_mode(mode, area)
    await async_check_code(
        entry.runtime_data.coordinator,
        entry.runtime_data.code_guard,
        call.data.get(ATTR_CODE),
        call.context,
        command=DoorCommand.SITE_MODE,
        door_ids=list(plan.doors),
        mode=mode.value,
    )
    return await control.async_run_site_mode(plan, call.context)


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
    hass.services.async_register(
        DOMAIN, "hold_open", _hold_open, schema=HOLD_OPEN_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        "set_site_mode",
        _set_site_mode,
        schema=SET_SITE_MODE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
