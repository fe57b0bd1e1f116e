// SearchSpaces module.
