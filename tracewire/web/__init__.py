"""tracewire.web."""
