"""Step 7 models, one module per part: goals and milestones, organizer terms and the independence
self-check, the public page's sections, and export jobs."""

from .exports import ExportJob
from .goals import Goal, GoalLink, Milestone
from .governance import IndependenceCheck, OrganizerTerm
from .public import PublicPage

__all__ = ["ExportJob", "Goal", "GoalLink", "IndependenceCheck", "Milestone", "OrganizerTerm", "PublicPage"]
