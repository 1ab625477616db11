"""Qt-free runtime: the single database thread, the background pool and cancellation."""
