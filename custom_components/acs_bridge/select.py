"""Each door's work mode as a select, and the site mode on the hub.

The protocol can set a door's work mode but cannot report it: the work-mode
select shows the mode Home Assistant set (normally open while a hold runs, the
site mode's while one is in force), kept across restarts, and says so (assumed
state). The hub's ``Site mode`` select shows and sets the mode of the whole
site; the modes of areas are in its attributes.
While an unlock code is set, normally open and evacuation are refused here (a
select carries no code): the code-checked actions do that instead.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .adapters import Capability
from .commands import DoorCommand, unlock_code_set
from .const import DOMAIN
from .coordinator import AcsCoordinator
from .door_modes import MODE_NORMALLY_OPEN, WORK_MODE_OPTIONS, SiteMode
from .entity import AcsDoorEntity, AcsHubEntity, add_door_entities
from .runtime import AcsConfigEntry

PARALLEL_UPDATES = 1

ATTR_AREAS = "areas"

WORK_MODE = SelectEntityDescription(
    key="work_mode",
    translation_key="work_mode",
    entity_category=EntityCategory.CONFIG,
    options=list(WORK_MODE_OPTIONS),
)
SITE_MODE = SelectEntityDescription(
    key="site_mode",
    translation_key="site_mode",
    options=[mode.value for mode in SiteMode],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the hub's site-mode select and a work-mode select for each door."""
    coordinator = entry.runtime_data.coordinator
    if not coordinator.adapter.supports(Capability.WORK_MODE):
        return
    async_add_entities([AcsSiteModeSelect(coordinator, SITE_MODE)])
    add_door_entities(
        entry,
        async_add_entities,
        lambda door_id: (
            [AcsWorkModeSelect(coordinator, WORK_MODE, door_id)]
            if coordinator.data.doors[door_id].work_modes
            else []
        ),
    )


class AcsWorkModeSelect(AcsDoorEntity, SelectEntity, RestoreEntity):
    """A door's work mode: as the device reports it, or as Home Assistant last set it."""

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: SelectEntityDescription,
        door_id: str,
    ) -> None:
        """Read the door's mode from the shared store of door modes."""
        super().__init__(coordinator, description, door_id)
        self._modes = self.runtime.door_modes

    @property
    def options(self) -> list[str]:
        """Return the modes this door's device offers."""
        door = self.coordinator.data.doors.get(self.door_id)
        return [mode.value for mode in door.work_modes] if door else []

    @property
    def _reported(self) -> bool:
        """Return whether the device reports the door's mode."""
        return self.coordinator.adapter.supports(Capability.WORK_MODE_STATE)

    @property
    def assumed_state(self) -> bool:
        """Return whether the mode shown is the one last set, not one read."""
        return not self._reported

    @property
    def current_option(self) -> str | None:
        """Return the door's mode: as the device reports it, else as last set.

        Set: its site mode's, its hold's, or the last set.
        """
        if self._reported:
            state = self.door_state
            mode = state.work_mode if state else None
            return mode.value if mode else None
        return self._modes.effective(self.door_id)

    async def async_added_to_hass(self) -> None:
        """Follow the store; take the mode this entity restored before it existed."""
        await super().async_added_to_hass()
        if (
            self._modes.mode(self.door_id) is None
            and (last := await self.async_get_last_state())
            and last.state in WORK_MODE_OPTIONS
        ):
            self._modes.seed_mode(self.door_id, last.state)
        self._last_written = self._fingerprint()
        self.async_on_remove(
            self._modes.async_add_listener(
                self.door_id, self._handle_coordinator_update
            )
        )

    async def async_select_option(self, option: str) -> None:
        """Set the door's work mode; it replaces a hold-open or a site mode."""
        if option == MODE_NORMALLY_OPEN and unlock_code_set(
            self.coordinator.config_entry
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="normally_open_needs_code",
                translation_placeholders={"door": self.door_name},
            )
        mode = WORK_MODE_OPTIONS[option]
        await self.async_door_command(
            DoorCommand.WORK_MODE,
            lambda: self.coordinator.adapter.set_work_mode(self.door_id, mode),
            check_code=False,
            mode=option,
        )
        self.runtime.door_control.async_mode_set(self.door_id, option)


class AcsSiteModeSelect(AcsHubEntity, SelectEntity):
    """The mode of the whole site: normal, lockdown or evacuation."""

    def __init__(
        self, coordinator: AcsCoordinator, description: SelectEntityDescription
    ) -> None:
        """Read the site mode from the shared store of door modes."""
        super().__init__(coordinator, description)
        self._modes = self.runtime.door_modes

    @property
    def current_option(self) -> str:
        """Return the mode of the whole site."""
        return self._modes.scopes.get(None, SiteMode.NORMAL).value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the mode of each area in a site mode of its own, by name."""
        areas = self.coordinator.data.areas
        return {
            ATTR_AREAS: {
                areas[area_id].name if area_id in areas else str(area_id): mode.value
                for area_id, mode in sorted(
                    self._modes.scopes.items(), key=lambda item: item[0] or 0
                )
                if area_id is not None
            }
        }

    async def async_added_to_hass(self) -> None:
        """Follow the store."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._modes.async_add_listener(None, self._handle_coordinator_update)
        )

    async def async_select_option(self, option: str) -> None:
        """Switch every door of the site; raise if a door did not follow."""
        entry = self.coordinator.config_entry
        if option == SiteMode.EVACUATION and unlock_code_set(entry):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="evacuation_needs_code",
            )
        control = entry.runtime_data.door_control
        plan = control.plan_site_mode(SiteMode(option), None)
        result = await control.async_run_site_mode(plan, self._context)
        if result["failed"]:
            failed = [door for door in result["doors"] if door["result"] != "accepted"]
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="site_mode_failed",
                translation_placeholders={
                    "failed": str(result["failed"]),
                    "total": str(len(result["doors"])),
                    "doors": ", ".join(door["door_name"] for door in failed),
                },
            )
