"""pysot trackers: SiamRPN++ (short-term and long-term), their builder and the arena adapter."""
