"""Shipped model files, loaded offline."""
