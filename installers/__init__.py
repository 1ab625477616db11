"""Building Comptoir's installers: `python installers/build.py` (see README, "Build an installer")."""
