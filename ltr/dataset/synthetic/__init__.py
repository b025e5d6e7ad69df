"""The embedded synthetic tracking benchmark (DESIGN.md section 3).

- :func:`generate_tree` / :func:`ensure_synthetic_benchmark`: write a seeded tree in the real LaSOT,
  GOT-10k or VOT2020 layout (frames, ground truth, flags, masks, parameter manifest);
- :class:`SyntheticTracking`: ltr training dataset reading such a tree (either layout, with masks);
- :class:`SyntheticTrackingOnTheFly`: the same videos generated in memory, with crops rendered
  directly at crop resolution (``render_crop``, ``sample_pair``) for unlimited training pairs;
- ``python -m ltr.dataset.synthetic``: the command line (see ``doc/synthetic.md``).
"""
from ltr.dataset.synthetic.config import SyntheticConfig, SyntheticConfigError, parse_size, sequence_name
from ltr.dataset.synthetic.render import render_crop, render_frame, target_mask
from ltr.dataset.synthetic.scene import SequencePlan, plan_sequence
from ltr.dataset.synthetic.tree import (MANIFEST, SyntheticTreeError, ensure_synthetic_benchmark, generate_tree,
                                        read_manifest, sequence_dir)
from ltr.dataset.synthetic.writers import SequenceAnnotation, annotate_sequence, write_sequence
from ltr.dataset.synthetic.datasets import SyntheticTracking, SyntheticTrackingOnTheFly
