"""tracewire.packs.core: general lexicons loaded before every domain pack."""
