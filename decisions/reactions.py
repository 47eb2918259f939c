"""How other apps react when a proposal about one of their objects is decided.

Decisions stores what a proposal concerns (a generic link); it never imports the app that owns
that object. Instead the owning app registers a reaction in its AppConfig.ready():

    from decisions.reactions import on_decided
    on_decided("needs.Need", needs.services.focus_chosen)

The reaction is called as `reaction(proposal=..., concerned=<the object>)` after the closing
transaction commits, only when the proposal passed.
"""

from django.db import transaction

_reactions = {}


def on_decided(model_label, reaction):
    """Register `reaction` for proposals that concern objects of `model_label` ("app.Model")."""
    _reactions.setdefault(model_label.lower(), []).append(reaction)


def reactions_for(model_label):
    return list(_reactions.get(model_label.lower(), []))


def react_to_passed(proposal):
    """Queue the registered reactions for a proposal that has just passed."""
    if proposal.concerns_type_id is None:
        return
    model = proposal.concerns_type.model_class()
    reactions = reactions_for(model._meta.label) if model is not None else []
    if not reactions:
        return
    concerned = model._base_manager.filter(pk=proposal.concerns_id).first()
    if concerned is None:
        return
    for reaction in reactions:
        transaction.on_commit(lambda reaction=reaction: reaction(proposal=proposal, concerned=concerned))
