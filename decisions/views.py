from django.views.generic import TemplateView

from institutions.tenancy import MEMBER, tenant_access


@tenant_access(MEMBER)
class DecisionsHome(TemplateView):
    template_name = "decisions/index.html"
