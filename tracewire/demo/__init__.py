"""tracewire.demo."""
