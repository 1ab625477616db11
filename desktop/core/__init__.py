"""Pure vocabulary of Comptoir: models, errors, settings registry and domain rules. No I/O, no Qt."""
