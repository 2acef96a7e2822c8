"""tracewire.packs.core: technique cue lexicons shared by every pack."""
