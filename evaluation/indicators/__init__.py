"""The health indicators, one module per common problem. `INDICATORS` is the order they are shown in."""

from . import burnout, change, conflicts, cooptation, hostility, logistics, momentum, self_serving

INDICATORS = [momentum, burnout, logistics, change, cooptation, conflicts, hostility, self_serving]


def evaluate(snapshot):
    """Every indicator's Result for the snapshot."""
    return [indicator.compute(snapshot) for indicator in INDICATORS]
