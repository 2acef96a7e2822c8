"""Tests of tracewire.analyze."""
