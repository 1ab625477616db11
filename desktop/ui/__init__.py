"""The desktop interface (PySide6 Widgets): the only package that imports Qt."""
