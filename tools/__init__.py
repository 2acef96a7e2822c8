"""Developer scripts that rebuild data files shipped in the package; they are not part of the wheel."""
