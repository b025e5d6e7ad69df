"""Alpha-Refine at test time: ``RefineModule`` (upstream path ``pytracking.refine_modules.refine_module``)."""
