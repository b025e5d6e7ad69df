"""Training dataset readers (one module per dataset, all following BaseVideoDataset)."""
from .base_video_dataset import BaseVideoDataset
from .base_image_dataset import BaseImageDataset
from .lasot import Lasot
from .got10k import Got10k
from .tracking_net import TrackingNet
from .imagenetvid import ImagenetVID
from .imagenetdet import ImagenetDET
from .coco_seq import MSCOCOSeq, MSCOCOSeq17
from .lvis import LVIS
from .youtubevos import YouTubeVOS, Youtube_VOS
from .saliency import Saliency
