"""tracewire.ingest."""
