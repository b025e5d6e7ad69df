"""The demo's refiner, second stage: the stride-8 corner refinement trained on top of ``SEcm_lite0_synthetic``.

    python ltr/run_training.py SEx_beta SEcm_lite0_synthetic      # stage 1 (30 epochs)
    python ltr/run_training.py SEx_beta SEcm_lite0_synthetic_s8   # stage 2, from stage 1's latest checkpoint

Stage 1's network has the upstream corner head: an 8 x 8 grid of stride-16 cells over the 128-px crop,
whose boxes stop improving near 0.89 mean IoU on ground-truth input (MODEL_ZOO.md). This stage adds
``Corner_Predictor_s8``'s refinement (``corner_stride=8``: the coarse logits upsampled to 16 x 16 plus a
correction from the ``block3`` tap) and trains the whole network (same data, frozen layers and losses)
from stage 1's weights: the new branch starts at zero (``pretrained_new_modules``), so the first step
predicts (nearly) stage 1's corners. ``--pretrained PATH`` names another stage-1 checkpoint.

The search crop's jitter is a mixture (each pair draws one of two amounts, ``SEMaskProcessing``): stage 1's
0.25/0.25, so boxes far off still come back, and 0.05/0.05, so a box that is already right stays right.
Measured on the val split (``benchmarks/refiner_gain.py --split val [--jitter 0 0]``, ground-truth / jittered
input): one amount for all pairs gave 0.894 / 0.872 (0.25, 7 epochs), 0.914 / 0.856 (0.15, 12 epochs) and
0.926 / 0.816 (0.10, 7 epochs); the mixture 0.926 / 0.869 after 12 epochs. Numbers in MODEL_ZOO.md.
"""
from ltr.admin.loading import latest_checkpoint, recipe_checkpoint_dir
from ltr.train_settings.SEx_beta import SEcm_lite0_synthetic as stage1


def run(settings):
    settings.description = ('SEcm_lite0_synthetic_s8: the demo refiner with a stride-8 corner refinement, '
                            'fine-tuned from SEcm_lite0_synthetic')
    stage1.configure(settings)
    settings.corner_stride = 8
    settings.pretrained_new_modules = ['corner_head.fine']
    settings.center_jitter_factor = {'train': 0, 'test': [0.25, 0.05]}
    settings.scale_jitter_factor = {'train': 0, 'test': [0.25, 0.05]}
    settings.epochs = 12
    settings.lr = 5e-4
    settings.lr_step_size = 5
    if not settings.pretrained:
        folder = recipe_checkpoint_dir('SEx_beta', 'SEcm_lite0_synthetic', settings.env.workspace_dir)
        settings.pretrained = latest_checkpoint(folder)
        if settings.pretrained is None:
            raise FileNotFoundError(f"{folder}: no stage-1 checkpoint; train it first with "
                                    f"python ltr/run_training.py SEx_beta SEcm_lite0_synthetic (or pass --pretrained)")
    return stage1.train(settings)
