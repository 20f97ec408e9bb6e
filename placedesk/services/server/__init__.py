"""The team's PostgreSQL server: setting it up, its roles, and moving a laptop's work onto it."""
