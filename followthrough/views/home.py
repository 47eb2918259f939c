from dualpower.views import StepHome
from institutions.tenancy import MEMBER, tenant_access

index = tenant_access(MEMBER)(StepHome.as_view(step_app="followthrough"))
