"""PyTorch front-end of Precise RoI Pooling (upstream folder name kept for the import path)."""
