"""Step 6 models, one module per part: field logs and metrics (with recorded changes), member
check-ins, self-evaluations, grievances, incidents, and the weekly health record and settings."""

from .checkins import CheckIn
from .grievances import Facilitator, Grievance, GrievanceEvent
from .health import EvaluationSettings, HealthStatus
from .incidents import Incident
from .logs import Change, LogEntry, LogForm, LogFormField, LogValue, Metric
from .selfeval import SelfEvaluation, SelfEvaluationAnswer, SelfEvaluationResponse

__all__ = [
    "Change",
    "CheckIn",
    "EvaluationSettings",
    "Facilitator",
    "Grievance",
    "GrievanceEvent",
    "HealthStatus",
    "Incident",
    "LogEntry",
    "LogForm",
    "LogFormField",
    "LogValue",
    "Metric",
    "SelfEvaluation",
    "SelfEvaluationAnswer",
    "SelfEvaluationResponse",
]
