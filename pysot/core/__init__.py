"""pysot core: the configuration (``config.cfg``) and the cross-correlation ops."""
