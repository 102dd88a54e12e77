"""Detection quality: read labelled sets, train the heads, evaluate the live engine."""
