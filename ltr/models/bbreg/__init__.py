"""IoU-Net box regressors (ATOM / DiMP): ``AtomIoUNet`` and the ``ATOMnet`` constructors."""
from ltr.models.bbreg.atom_iou_net import AtomIoUNet

__all__ = ['AtomIoUNet']
