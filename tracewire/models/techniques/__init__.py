"""Shipped technique model weights (model.npz, model.json), built by eval/train_techniques.py."""
