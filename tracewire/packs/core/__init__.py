"""Core pack: generic rules for every corpus."""
