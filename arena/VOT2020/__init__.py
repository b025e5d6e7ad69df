"""VOT2020: the arena's trackers as VOT toolkit (TraX) trackers reporting segmentation masks (``alphaseg``: the
refiner's mask; box-only baselines: the mask of the box), a VOT workspace for them and its evaluation by the
``vot`` command. Needs the ``[vot]`` extra (``vot-trax``, ``vot-toolkit``); see ``doc/vot2020.md``."""
