"""tracewire.analyze."""
