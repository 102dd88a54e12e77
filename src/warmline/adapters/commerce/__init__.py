"""Commerce record adapters (the full record comes with the record issue)."""
