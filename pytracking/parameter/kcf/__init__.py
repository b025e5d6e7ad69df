"""Parameter sets of the KCF tracker (``default``)."""
