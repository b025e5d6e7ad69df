"""pysot utilities: anchors and model loading (boxes and IoU live in ltr.data.bounding_box_utils)."""
