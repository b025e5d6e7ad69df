"""Parameter sets of the KCF tracker (``default``; ``fixed_size``: one scale, the box size never changes)."""
