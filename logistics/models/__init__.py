"""Step 5 models, one module per part: tasks and meeting support, shifts (with roles and written
procedures), supplies and spaces, money, and the institution's logistics settings."""

from .money import LedgerCategory, LedgerEntry, LedgerEntryVersion
from .options import LogisticsSettings
from .shifts import (
    Procedure,
    ProcedureAcknowledgement,
    ProcedureVersion,
    Shift,
    ShiftOccurrence,
    ShiftSignup,
    StandInRequest,
    VolunteerRole,
)
from .supplies import Space, SpaceBooking, SupplyItem
from .tasks import SupportLine, Task

__all__ = [
    "LedgerCategory",
    "LedgerEntry",
    "LedgerEntryVersion",
    "LogisticsSettings",
    "Procedure",
    "ProcedureAcknowledgement",
    "ProcedureVersion",
    "Shift",
    "ShiftOccurrence",
    "ShiftSignup",
    "Space",
    "SpaceBooking",
    "StandInRequest",
    "SupplyItem",
    "SupportLine",
    "Task",
    "VolunteerRole",
]
