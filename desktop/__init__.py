"""Comptoir: the customer-mail assistant for small online shops that keeps its data at home."""

__version__ = "0.1.0"
APP_NAME = "Comptoir"
APP_ID = "fr.comptoir.Comptoir"
