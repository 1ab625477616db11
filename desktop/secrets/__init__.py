"""Where the database key lives: the OS keyring when a real one works, else a passphrase-wrapped file."""
