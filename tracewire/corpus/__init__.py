"""tracewire.corpus."""
