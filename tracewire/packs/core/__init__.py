"""tracewire.packs.core: general rules and lexicons loaded before every domain pack."""
