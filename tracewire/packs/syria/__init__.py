"""tracewire.packs.syria."""
