"""State every plane shares: database, tables, artifacts, token hashes, migrations. No Ray."""
