"""Actors: network + objective -> loss and stats for one batch (upstream ``ltr/actors``)."""
from ltr.actors.base_actor import BaseActor
from ltr.actors.bbreg import AtomActor, AtomBBKLActor
from ltr.actors.tracking import DiMPActor, KLDiMPActor

__all__ = ['BaseActor', 'AtomActor', 'AtomBBKLActor', 'DiMPActor', 'KLDiMPActor']
