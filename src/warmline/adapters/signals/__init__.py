"""Signal providers: the lexicon (VADER) and, optionally, the embedded sentence model."""
