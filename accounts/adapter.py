from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site

from notifications.services import send_account_mail


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Account mail (verification, login codes, password reset) goes through notifications."""
        request = self.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, ctx)
        recipient = context.get("user") if isinstance(context.get("user"), get_user_model()) else None
        send_account_mail(message=message, recipient=recipient)
