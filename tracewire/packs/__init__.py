"""tracewire.packs."""
