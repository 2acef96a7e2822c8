"""tracewire.web: the local web UI and JSON API (``tracewire serve``)."""
