"""The encrypted store: SQLCipher connection, migrations, repositories and full-text search."""
