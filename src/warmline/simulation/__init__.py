"""`warmline simulate`: a day of handoffs on the real router, assigner and cascade."""
