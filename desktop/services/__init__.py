"""Use cases that combine the adapters: workspace lifecycle, settings, inbox, demo, self-test."""
