"""The demo's refiner, second stage: the stride-8 corner refinement trained on top of ``SEcm_lite0_synthetic``.

    python ltr/run_training.py SEx_beta SEcm_lite0_synthetic      # stage 1 (30 epochs)
    python ltr/run_training.py SEx_beta SEcm_lite0_synthetic_s8   # stage 2, from stage 1's latest checkpoint

Stage 1's network has the upstream corner head: an 8 x 8 grid of stride-16 cells over the 128-px crop,
whose boxes stop improving near 0.89 mean IoU on ground-truth input (MODEL_ZOO.md). This stage adds
``Corner_Predictor_s8``'s refinement (``corner_stride=8``: the coarse logits upsampled to 16 x 16 plus a
correction from the ``block3`` tap) and trains the whole network (same data, frozen layers and losses)
from stage 1's weights: the new branch starts at zero (``pretrained_new_modules``), so the first step
predicts (nearly) stage 1's corners. ``--pretrained PATH`` names another stage-1 checkpoint.

The search crop is jittered less than in stage 1 (0.15/0.15 instead of 0.25/0.25): measured on the val split
(``benchmarks/refiner_gain.py --split val``), stage 2 at 0.25 left the ground-truth-input precision at stage 1's
level (0.889 -> 0.894 after 7 epochs) while 0.15 raised it to 0.910 after 3; numbers in MODEL_ZOO.md.
"""
from ltr.admin.loading import latest_checkpoint, recipe_checkpoint_dir
from ltr.train_settings.SEx_beta import SEcm_lite0_synthetic as stage1


def run(settings):
    settings.description = ('SEcm_lite0_synthetic_s8: the demo refiner with a stride-8 corner refinement, '
                            'fine-tuned from SEcm_lite0_synthetic')
    stage1.configure(settings)
    settings.corner_stride = 8
    settings.pretrained_new_modules = ['corner_head.fine']
    settings.center_jitter_factor = {'train': 0, 'test': 0.15}
    settings.scale_jitter_factor = {'train': 0, 'test': 0.15}
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
