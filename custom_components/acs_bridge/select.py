"""Each door's work mode as a select.

The protocol can set a door's work mode but cannot report it: the entity shows
the last mode set through it, kept across restarts, and says so (assumed state).
While an unlock code is set, normally open is refused here (a select carries no
code): the code-checked actions hold a door open instead.
"""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .adapters import Capability, WorkMode
from .commands import DoorCommand, unlock_code_set
from .const import DOMAIN
from .coordinator import AcsConfigEntry, AcsCoordinator
from .entity import AcsDoorEntity, add_door_entities

PARALLEL_UPDATES = 1

WORK_MODE_OPTIONS: dict[str, WorkMode] = {mode.name.lower(): mode for mode in WorkMode}
# The mode that opens the door, and so needs the unlock code when one is set.
NORMALLY_OPEN = WorkMode.NORMALLY_OPEN.name.lower()

WORK_MODE = SelectEntityDescription(
    key="work_mode",
    translation_key="work_mode",
    entity_category=EntityCategory.CONFIG,
    options=list(WORK_MODE_OPTIONS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add a work-mode select for each door."""
    coordinator = entry.runtime_data.coordinator
    if not coordinator.adapter.supports(Capability.WORK_MODE):
        return
    entry.async_on_unload(
        add_door_entities(
            coordinator,
            async_add_entities,
            lambda door_id: [AcsWorkModeSelect(coordinator, WORK_MODE, door_id)],
        )
    )


class AcsWorkModeSelect(AcsDoorEntity, SelectEntity, RestoreEntity):
    """The last work mode set on a door through Home Assistant."""

    _attr_assumed_state = True

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: SelectEntityDescription,
        door_id: str,
    ) -> None:
        """Start with no known mode."""
        super().__init__(coordinator, description, door_id)
        self._attr_current_option = None

    async def async_added_to_hass(self) -> None:
        """Restore the last mode set."""
        await super().async_added_to_hass()
        if (
            last := await self.async_get_last_state()
        ) and last.state in WORK_MODE_OPTIONS:
            self._attr_current_option = last.state
            self._last_written = self._fingerprint()

    async def async_select_option(self, option: str) -> None:
        """Set the door's work mode."""
        if option == NORMALLY_OPEN and unlock_code_set(self.coordinator.config_entry):
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
        self._attr_current_option = option
        self._last_written = self._fingerprint()
        self.async_write_ha_state()
