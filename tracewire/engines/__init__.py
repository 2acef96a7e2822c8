"""tracewire.engines."""
