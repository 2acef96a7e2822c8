"""tracewire.report."""
