"""The service layer: one unit of work per command; handlers are the only writers."""
