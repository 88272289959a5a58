"""Actions that return data, against the simulator."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
    UnknownUser,
)
from homeassistant.util import dt as dt_util
import pytest
import voluptuous as vol

from custom_components.acs_bridge.const import DOMAIN

from .sim_fixtures import SimSetup


async def call(
    hass: HomeAssistant, service: str, context: Context | None = None, **data
):
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True, context=context
    )


async def test_get_person(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """A person by staff number and by id, with type, group and card type by name."""
    person = next(p for p in sim_setup.sim.site.people if p.user_no)
    by_no = await call(hass, "get_person", user_no=person.user_no)
    by_id = await call(hass, "get_person", user_id=person.user_id)
    assert by_no["person"]["user_id"] == person.user_id
    assert by_no["person"]["name"] == person.name
    assert by_no["person"]["person_type_name"]
    assert by_no["person"]["card_group_name"]
    assert by_no["person"]["card_type_name"]
    assert by_id["person"]["user_no"] == person.user_no
    assert person.cards[0] in by_no["person"]["card_nos"]


async def test_get_person_errors(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Unknown people and missing arguments are translated validation errors."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "get_person", user_no="no-such-person")
    assert err.value.translation_key == "person_not_found"
    with pytest.raises(vol.Invalid):
        await call(hass, "get_person")
    with pytest.raises(vol.Invalid):
        await call(hass, "get_person", user_no="1", user_id=2)


async def test_list_people(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """People page through the server up to the limit, with the total."""
    result = await call(hass, "list_people", limit=7)
    assert result["total"] == len(sim_setup.sim.site.people)
    assert result["count"] == 7
    assert len(result["people"]) == 7
    org = sim_setup.sim.site.people[0].org_name
    result = await call(hass, "list_people", org_name=org)
    assert result["people"]
    assert {p["org_name"] for p in result["people"]} == {org}


async def test_get_records(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Records of each kind between two times, with alarms filtered."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    granted = sim.swipe(door.id)
    sim.swipe(door.id, "99999999")
    now = dt_util.now()
    window = {"start": now - timedelta(minutes=5), "end": now + timedelta(minutes=5)}
    swipes = await call(hass, "get_records", kind="swipe", **window)
    assert swipes["count"] == 2
    assert {r["reason"] for r in swipes["records"]} == {"granted", "card_not_found"}
    normal = await call(hass, "get_records", kind="swipe", alarms="exclude", **window)
    assert [r["card_no"] for r in normal["records"]] == [granted.card_no]
    alarms = await call(hass, "get_records", kind="access", alarms="only", **window)
    assert [r["card_no"] for r in alarms["records"]] == ["99999999"]
    mine = await call(
        hass, "get_records", kind="passage", user_no=granted.user_no, **window
    )
    assert mine["count"] == 1
    assert mine["records"][0]["access_type"] == "card"
    with pytest.raises(ServiceValidationError):
        await call(hass, "get_records", start=now, end=now - timedelta(hours=1))


async def test_get_area_people(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """People inside an area, by name or id."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    swipe = sim.swipe(door.id, reader="outside")
    area = next(a for a in sim.site.areas if a.id == door.area_id)
    by_name = await call(hass, "get_area_people", area=area.name)
    by_id = await call(hass, "get_area_people", area_id=area.id)
    assert by_name == by_id
    assert by_name["area"]["name"] == area.name
    assert [p["card_no"] for p in by_name["people"]] == [swipe.card_no]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "get_area_people", area="没有这个区域")
    assert err.value.translation_key == "area_not_found"


async def test_server_failure_is_translated(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A failing server raises a translated error."""
    sim_setup.sim.fault("html", path="user")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "get_person", user_no="300005")
    assert err.value.translation_key == "action_failed"


async def test_no_loaded_entry(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Actions say so when no server is loaded, or the id is unknown."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_people", config_entry_id="nope")
    assert err.value.translation_key == "entry_not_found"
    await hass.config_entries.async_unload(sim_setup.entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_people")
    assert err.value.translation_key == "entry_not_loaded"


PEOPLE_CALLS = [
    ("get_person", {}),  # the staff number is the site's
    ("list_people", {"limit": 1}),
    ("get_area_people", {"area_id": 0}),
]


@pytest.mark.parametrize(("service", "data"), PEOPLE_CALLS)
async def test_people_actions_are_for_administrators(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    hass_admin_user: User,
    hass_read_only_user: User,
    service: str,
    data: dict[str, object],
) -> None:
    """A user who is not an administrator cannot read people; automations can."""
    if service == "get_person":
        data = {"user_no": sim_setup.sim.site.people[0].user_no}
    with pytest.raises(Unauthorized):
        await call(hass, service, Context(user_id=hass_read_only_user.id), **data)
    with pytest.raises(UnknownUser):
        await call(hass, service, Context(user_id="no-such-user"), **data)
    assert await call(hass, service, Context(user_id=hass_admin_user.id), **data)
    assert await call(hass, service, **data)  # an automation: no user


async def test_records_stay_open_to_users(
    hass: HomeAssistant, sim_setup: SimSetup, hass_read_only_user: User
) -> None:
    """Records (the access log) are not a people action."""
    now = dt_util.now()
    result = await call(
        hass,
        "get_records",
        Context(user_id=hass_read_only_user.id),
        start=now - timedelta(minutes=5),
        end=now,
    )
    assert result["count"] == 0


async def test_id_card_only_when_asked(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """People come without their ID-card number unless it is asked for."""
    person = next(p for p in sim_setup.sim.site.people if p.id_card)
    plain = await call(hass, "get_person", user_no=person.user_no)
    assert "id_card" not in plain["person"]
    assert person.id_card not in repr(plain)
    asked = await call(hass, "get_person", user_no=person.user_no, include_id_card=True)
    assert asked["person"]["id_card"] == person.id_card

    everyone = await call(hass, "list_people", limit=100)
    assert everyone["people"]
    assert all("id_card" not in p for p in everyone["people"])
    asked = await call(hass, "list_people", limit=100, include_id_card=True)
    assert {p["id_card"] for p in asked["people"]} >= {person.id_card}


async def test_person_records_are_bounded_in_time(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """One person's records span at most 31 days: they may be read record by record."""
    now = dt_util.now()
    requests = len(sim_setup.sim.requests)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "get_records",
            user_no="300005",
            start=now - timedelta(days=365),
            end=now,
        )
    assert err.value.translation_key == "person_records_span"
    assert len(sim_setup.sim.requests) == requests  # nothing was read
    result = await call(
        hass, "get_records", user_no="300005", start=now - timedelta(days=31), end=now
    )
    assert result["count"] == 0
    # Without a person, the limit bounds what is read.
    result = await call(
        hass, "get_records", start=now - timedelta(days=365), end=now, limit=5
    )
    assert result["count"] == 0


async def test_records_action_has_a_time_limit(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A server that does not finish answering ends the action with a clear error."""
    held = sim_setup.sim.fault("hold", path="acsrecords", count=1)  # never answers
    now = dt_util.now()
    with (
        patch(
            "custom_components.acs_bridge.services.RECORDS_TIMEOUT", 0.01, create=True
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass,
            "get_records",
            user_no="300005",
            start=now - timedelta(days=1),
            end=now,
        )
    assert err.value.translation_key == "records_timeout"
    held.release()
