"""Storage adapters: SQLAlchemy Core on SQLite or PostgreSQL, and an in-memory twin."""
