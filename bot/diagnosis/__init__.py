"""Guided troubleshooting: trees from knowledge/, the engine that walks them, and their validator."""
