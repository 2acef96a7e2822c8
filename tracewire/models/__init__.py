"""Shipped model files (plain data, rebuilt by scripts in eval/)."""
