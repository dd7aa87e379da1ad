"""The models, one module per aggregate."""

from tracker.models.alerts import Alert, OutboxDelivery
from tracker.models.audit import AuditEvent
from tracker.models.diary import ASSESSMENT_SIDE_FIELDS, ENTRY_FIELDS, Assessment, Entry, Event, OdiResponse
from tracker.models.users import AuthSession, ClinicianLink, ShareCode, User

__all__ = [
    "ASSESSMENT_SIDE_FIELDS",
    "ENTRY_FIELDS",
    "Alert",
    "Assessment",
    "AuditEvent",
    "AuthSession",
    "ClinicianLink",
    "Entry",
    "Event",
    "OdiResponse",
    "OutboxDelivery",
    "ShareCode",
    "User",
]
